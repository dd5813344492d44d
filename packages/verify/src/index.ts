export type { IdentityPolicy, SignerInfo, TrustConfig, VerifiedStatement } from './types.ts';
// verifyBundle({ bundle: Uint8Array|unknown, trust: TrustConfig, identity?: IdentityPolicy, now?: Date }): Promise<VerifiedStatement>
// verifyModel({ bundle, manifest, trust, identity }): binds the OMS statement to a freshly hashed Manifest
