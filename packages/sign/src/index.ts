// keygen lives in @modelseal/keys; re-exported for webhook/test until that branch imports keys
export { generateKeyPair, KEYGEN_ALGORITHMS, type KeygenAlgorithm } from '@modelseal/keys';
export { type KeyBlobConfig, keyBlobSigner } from './key-blob.ts';
export { keylessBlobSigner, keylessSigner, witnessesFor } from './keyless.ts';
export {
  type KeylessServiceInput,
  type KeylessServices,
  PUBLIC_GOOD_FULCIO_URL,
  PUBLIC_GOOD_REKOR_URL,
  parseSigningConfig,
  resolveKeylessServices,
  SIGNING_CONFIG_MEDIA_TYPE,
} from './keyless-config.ts';
export {
  NO_SIGNER_MESSAGE,
  resolveIdentityToken,
  type TokenEnvironment,
  type TokenSource,
} from './keyless-token.ts';
export { createSigner } from './signer.ts';
export type { Signer, SignerConfig } from './types.ts';
