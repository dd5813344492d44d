export { type BundleKeyMaterial, type ParsedBundle, parseBundle } from './bundle.ts';
export { verifyChain } from './chain.ts';
export { describeSigner } from './describe.ts';
export { type CompiledIdentity, checkIdentity, compileIdentity } from './identity.ts';
export { prepareTrust } from './prepare.ts';
export {
  type BlobArtifact,
  type BlobVerification,
  type BlobVerifier,
  createBlobVerifier,
  createSigstoreEntityVerifier,
  parseSigstoreBundle,
  parseTrustedRoot,
  publicGoodTrustedRoot,
  type SigstoreEntityVerifier,
  TRUSTED_ROOT_MEDIA_TYPE,
} from './trust/index.ts';
export type {
  IdentityPolicy,
  KeyTimestampPolicy,
  SignerInfo,
  TrustConfig,
  TrustedRoot,
  VerifiedStatement,
} from './types.ts';
export { type VerifyBundleOptions, verifyBundle } from './verify-bundle.ts';
export {
  checkManifest,
  type VerifiedModel,
  type VerifyModelOptions,
  verifyModel,
} from './verify-model.ts';
