export { type CompiledIdentity, checkIdentity, compileIdentity } from './identity.ts';
export {
  type BlobArtifact,
  type BlobVerification,
  type BlobVerifier,
  createBlobVerifier,
  PUBLIC_GOOD_TRUSTED_ROOT_JSON,
  parseSigstoreBundle,
  parseTrustedRoot,
  publicGoodTrustedRoot,
  TRUSTED_ROOT_MEDIA_TYPE,
} from './trust/index.ts';
export type { IdentityPolicy, SignerInfo, TrustConfig, VerifiedStatement } from './types.ts';
// verifyBundle({ bundle: Uint8Array|unknown, trust: TrustConfig, identity?: IdentityPolicy, now?: Date }): Promise<VerifiedStatement>
// verifyModel({ bundle, manifest, trust, identity }): binds the OMS statement to a freshly hashed Manifest
