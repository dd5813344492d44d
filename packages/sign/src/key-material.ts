import { createPublicKey, type KeyObject } from 'node:crypto';
import { keyId, loadPrivateKey, publicKeyPem, signBytes } from '@modelseal/keys';
import type { Pkcs11Uri } from '@modelseal/pkcs11';
import { openTokenKey } from '@modelseal/pkcs11/token';
import type { Signer as SigstoreSigner } from '@sigstore/sign';

/** A signing key wherever it lives: a PEM file in memory, or a token that signs on the device. */
export interface KeyMaterial {
  readonly publicKey: KeyObject;
  sign(data: Uint8Array): Promise<Buffer>;
}

export function fileKey(pem: string, passphrase: string | undefined): KeyMaterial {
  const key = loadPrivateKey(pem, passphrase);
  return { publicKey: createPublicKey(key), sign: async (data) => signBytes(key, data) };
}

/** Opened at once, before any hashing or reading: a wrong PIN or a missing object fails first. */
export function tokenKey(config: {
  readonly uri: Pkcs11Uri;
  readonly pin?: string;
  readonly module?: string;
}): KeyMaterial {
  const token = openTokenKey({
    uri: config.uri,
    ...(config.pin === undefined ? {} : { pin: config.pin }),
    ...(config.module === undefined ? {} : { module: config.module }),
  });
  return { publicKey: token.publicKey, sign: async (data) => token.sign(data) };
}

/** A @sigstore/sign signer that names its key by public key and key id (the key-bundle shape). */
export function publicKeySigner(key: KeyMaterial): SigstoreSigner {
  const pub = key.publicKey;
  const material = { $case: 'publicKey' as const, publicKey: publicKeyPem(pub), hint: keyId(pub) };
  return { sign: async (data) => ({ signature: await key.sign(data), key: material }) };
}
