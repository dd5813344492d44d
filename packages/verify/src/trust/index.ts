export {
  type BlobArtifact,
  type BlobVerification,
  type BlobVerifier,
  type BlobVerifierOptions,
  createBlobVerifier,
} from './blob-verifier.ts';
export { parseSigstoreBundle } from './bundle.ts';
export { publicGoodTrustedRoot } from './public-good.ts';
export { verifySigstoreBundle } from './sigstore-statement.ts';
export {
  createSigstoreEntityVerifier,
  type SigstoreEntityVerifier,
  type SigstoreVerifierOptions,
} from './sigstore-verifier.ts';
export { parseTrustedRoot, TRUSTED_ROOT_MEDIA_TYPE } from './trusted-root.ts';
