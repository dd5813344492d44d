export {
  MIN_RSA_BITS,
  type SignatureParams,
  signatureParams,
  signBytes,
  verifyBytes,
} from './algorithms.ts';
export { generateKeyPair, KEYGEN_ALGORITHMS, type KeygenAlgorithm, type KeyPairPem } from './keygen.ts';
export { keyId, loadPrivateKey, loadPublicKey, publicKeyPem } from './keys.ts';
