import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { InputError, UsageError } from '@modelseal/core';
import { signatureParams } from './algorithms.ts';

const ENCRYPTED_RE = /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type:\s*4,ENCRYPTED/;

/**
 * Loads a PKCS#8, SEC1 or PKCS#1 PEM private key. Node's own parse errors never contain key
 * bytes, but we still never echo the input: messages name the problem only.
 */
export function loadPrivateKey(pem: string, passphrase?: string): KeyObject {
  const encrypted = ENCRYPTED_RE.test(pem);
  if (encrypted && (passphrase === undefined || passphrase === '')) {
    throw new UsageError({
      code: 'KEY_PASSPHRASE_REQUIRED',
      message: 'the private key is encrypted and no passphrase was given',
    });
  }
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) {
    throw new InputError({ code: 'KEY_INVALID', message: 'the private key file is not a PEM private key' });
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(encrypted ? { key: pem, format: 'pem', passphrase } : { key: pem, format: 'pem' });
  } catch (e) {
    if (encrypted) {
      throw new InputError({
        code: 'KEY_PASSPHRASE_INVALID',
        message: 'the passphrase does not decrypt the private key',
      });
    }
    throw new InputError({
      code: 'KEY_INVALID',
      message: `the private key could not be parsed (${(e as { code?: string }).code ?? 'unknown format'}); expected PKCS#8, SEC1 or PKCS#1 PEM`,
    });
  }
  signatureParams(key);
  return key;
}

/** Accepts SPKI PEM, PKCS#1 RSA PEM, or a certificate's public key; returns a public KeyObject. */
export function loadPublicKey(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: 'pem' });
  } catch {
    throw new InputError({
      code: 'PUBLIC_KEY_INVALID',
      message: 'the public key is not a PEM SPKI public key',
    });
  }
  if (key.type !== 'public') {
    throw new InputError({ code: 'PUBLIC_KEY_INVALID', message: 'expected a public key, got a private key' });
  }
  signatureParams(key);
  return key;
}

export function publicKeyPem(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return pub.export({ type: 'spki', format: 'pem' }).toString();
}

/**
 * The one key id: hex SHA-256 of the canonical SPKI PEM text (64-column lines), which is also
 * model_signing's `publicKey.hint`. Computed from the key, never from the PEM a user handed us:
 * the same key as PKCS#1, with CRLF line ends or a leading comment must get the same id.
 */
export function keyId(key: KeyObject): string {
  return createHash('sha256').update(publicKeyPem(key)).digest('hex');
}
