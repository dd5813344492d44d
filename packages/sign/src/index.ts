export type { Signer, SignerConfig } from './types.ts';
// createSigner(config: SignerConfig): Signer
