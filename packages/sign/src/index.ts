export {
  MIN_RSA_BITS,
  type SignatureParams,
  signatureParams,
  signBytes,
  verifyBytes,
} from './algorithms.ts';
export { generateKeyPair, KEYGEN_ALGORITHMS, type KeygenAlgorithm, type KeyPairPem } from './keygen.ts';
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
export { keyHint, loadPrivateKey, loadPublicKey, publicKeyPem } from './keys.ts';
export { createSigner } from './signer.ts';
export type { Signer, SignerConfig } from './types.ts';
