import { constants, type KeyObject, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { InputError } from '@modelseal/core';

/**
 * How a key signs: ECDSA uses the hash that matches its curve (as model_signing does),
 * RSA-PSS keys sign with PSS, plain RSA keys with PKCS#1 v1.5, Ed25519 hashes internally.
 */
export type SignatureParams =
  | { readonly scheme: 'ecdsa'; readonly hash: 'sha256' | 'sha384' | 'sha512'; readonly keyDetails: string }
  | { readonly scheme: 'ed25519'; readonly keyDetails: string }
  | { readonly scheme: 'rsa-pkcs1'; readonly hash: 'sha256'; readonly keyDetails: string }
  | { readonly scheme: 'rsa-pss'; readonly hash: 'sha256'; readonly keyDetails: string };

const CURVES: Record<string, { hash: 'sha256' | 'sha384' | 'sha512'; details: string }> = {
  prime256v1: { hash: 'sha256', details: 'PKIX_ECDSA_P256_SHA_256' },
  secp384r1: { hash: 'sha384', details: 'PKIX_ECDSA_P384_SHA_384' },
  secp521r1: { hash: 'sha512', details: 'PKIX_ECDSA_P521_SHA_512' },
};

export const MIN_RSA_BITS = 2048;

export function signatureParams(key: KeyObject): SignatureParams {
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'ec': {
      const curve = CURVES[details.namedCurve ?? ''];
      if (!curve) {
        throw new InputError({
          code: 'KEY_ALGORITHM_UNSUPPORTED',
          message: `EC curve ${details.namedCurve} is not supported; use P-256, P-384 or P-521`,
        });
      }
      return { scheme: 'ecdsa', hash: curve.hash, keyDetails: curve.details };
    }
    case 'ed25519':
      return { scheme: 'ed25519', keyDetails: 'PKIX_ED25519' };
    case 'rsa':
    case 'rsa-pss': {
      const bits = details.modulusLength ?? 0;
      if (bits < MIN_RSA_BITS) {
        throw new InputError({
          code: 'KEY_TOO_WEAK',
          message: `RSA key has ${bits} bits; at least ${MIN_RSA_BITS} are required`,
        });
      }
      return key.asymmetricKeyType === 'rsa'
        ? { scheme: 'rsa-pkcs1', hash: 'sha256', keyDetails: `PKIX_RSA_PKCS1V15_${bits}_SHA256` }
        : { scheme: 'rsa-pss', hash: 'sha256', keyDetails: `PKIX_RSA_PSS_${bits}_SHA256` };
    }
    default:
      throw new InputError({
        code: 'KEY_ALGORITHM_UNSUPPORTED',
        message: `${key.asymmetricKeyType} keys are not supported; use ECDSA (P-256/P-384/P-521), Ed25519 or RSA >= 2048 bits`,
      });
  }
}

function keyInput(key: KeyObject, p: SignatureParams) {
  return p.scheme === 'rsa-pss'
    ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }
    : key;
}

function hashOf(p: SignatureParams): string | null {
  return p.scheme === 'ed25519' ? null : p.hash;
}

export function signBytes(key: KeyObject, data: Uint8Array): Buffer {
  const p = signatureParams(key);
  return nodeSign(hashOf(p), data, keyInput(key, p));
}

/**
 * Verification with the digest the key type calls for. @sigstore/verify calls crypto.verify
 * without a digest, which OpenSSL resolves to SHA-256 for every curve: P-384 bundles written
 * by model_signing (SHA-384) would never verify that way.
 */
export function verifyBytes(
  key: KeyObject,
  data: Uint8Array,
  signature: Uint8Array,
  hash?: 'sha256',
): boolean {
  const p = signatureParams(key);
  try {
    return nodeVerify(hash ?? hashOf(p), data, keyInput(key, p), signature);
  } catch {
    return false;
  }
}
