import { generateKeyPairSync } from 'node:crypto';
import { UsageError } from '@modelseal/core';

export const KEYGEN_ALGORITHMS = ['ecdsa-p256', 'ecdsa-p384', 'ecdsa-p521', 'ed25519', 'rsa-3072'] as const;
export type KeygenAlgorithm = (typeof KEYGEN_ALGORITHMS)[number];

export interface KeyPairPem {
  readonly privateKeyPem: string;
  readonly publicKeyPem: string;
}

/** PKCS#8 private key (PBES2: PBKDF2 + AES-256-CBC when a passphrase is given) + SPKI public key. */
export function generateKeyPair(algorithm: KeygenAlgorithm, passphrase?: string): KeyPairPem {
  const enc = passphrase ? { cipher: 'aes-256-cbc', passphrase } : {};
  const encoding = {
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem', ...enc },
  } as const;
  const pair = (() => {
    switch (algorithm) {
      case 'ecdsa-p256':
        return generateKeyPairSync('ec', { namedCurve: 'P-256', ...encoding });
      case 'ecdsa-p384':
        return generateKeyPairSync('ec', { namedCurve: 'P-384', ...encoding });
      case 'ecdsa-p521':
        return generateKeyPairSync('ec', { namedCurve: 'P-521', ...encoding });
      case 'ed25519':
        return generateKeyPairSync('ed25519', encoding);
      case 'rsa-3072':
        return generateKeyPairSync('rsa', { modulusLength: 3072, ...encoding });
      default:
        throw new UsageError({
          code: 'KEYGEN_ALGORITHM_UNKNOWN',
          message: `unknown algorithm ${String(algorithm)}`,
        });
    }
  })();
  return { privateKeyPem: pair.privateKey, publicKeyPem: pair.publicKey };
}
