export { type BundleKeyMaterial, type ParsedBundle, parseBundle } from './bundle.ts';
export { verifyChain } from './chain.ts';
export type { IdentityPolicy, SignerInfo, TrustConfig, VerifiedStatement } from './types.ts';
export { type VerifyBundleOptions, verifyBundle } from './verify-bundle.ts';
export {
  checkManifest,
  type VerifiedModel,
  type VerifyModelOptions,
  verifyModel,
} from './verify-model.ts';
