import { type KeyObject, X509Certificate } from 'node:crypto';
import { InputError, NotFoundError, UsageError } from '@modelseal/core';
import type { Binding, Handle, Module } from './module.ts';
import { ecPublicKey, rsaPublicKey } from './public-key.ts';
import { describePkcs11Uri, type Pkcs11Uri } from './uri.ts';

/** The objects on a token: the private key the URI names, and the public key paired with it. */

function findObjects(
  module: Module,
  s: Handle,
  template: { type: number; value?: Buffer | number }[],
): Handle[] {
  const lib = module.lib;
  lib.C_FindObjectsInit(s, template);
  try {
    return lib.C_FindObjects(s, 2);
  } finally {
    lib.C_FindObjectsFinal(s);
  }
}

export function findPrivateKey(p11: Binding, module: Module, s: Handle, uri: Pkcs11Uri): Handle {
  const found = findObjects(module, s, [
    { type: p11.CKA_CLASS, value: p11.CKO_PRIVATE_KEY },
    ...(uri.object === undefined ? [] : [{ type: p11.CKA_LABEL, value: Buffer.from(uri.object, 'utf8') }]),
    ...(uri.id === undefined ? [] : [{ type: p11.CKA_ID, value: Buffer.from(uri.id) }]),
  ]);
  if (found.length === 0) {
    throw new NotFoundError({
      code: 'PKCS11_OBJECT_NOT_FOUND',
      message: `the token has no private key matching ${describePkcs11Uri(uri)} (visible after login)`,
    });
  }
  if (found.length > 1) {
    throw new UsageError({
      code: 'PKCS11_OBJECT_AMBIGUOUS',
      message: `more than one private key matches ${describePkcs11Uri(uri)}; add id= (or a more exact object=) to the URI`,
    });
  }
  return found[0] as Handle;
}

function attribute(module: Module, s: Handle, h: Handle, type: number): Buffer | undefined {
  try {
    const [a] = module.lib.C_GetAttributeValue(s, h, [{ type }]);
    return a?.value instanceof Buffer ? a.value : undefined;
  } catch {
    // CKR_ATTRIBUTE_TYPE_INVALID / _SENSITIVE: the object just does not have it readable
    return undefined;
  }
}

const ulong = (b: Buffer | undefined) =>
  b === undefined || b.length === 0 ? undefined : b.readUIntLE(0, Math.min(b.length, 6));

/** From the public object paired by CKA_ID, the private object's public attributes, or a certificate. */
export function readPublicKey(p11: Binding, module: Module, s: Handle, priv: Handle): KeyObject {
  const type = ulong(attribute(module, s, priv, p11.CKA_KEY_TYPE));
  const id = attribute(module, s, priv, p11.CKA_ID);
  const label = attribute(module, s, priv, p11.CKA_LABEL);
  const canSign = attribute(module, s, priv, p11.CKA_SIGN);
  if (canSign !== undefined && canSign[0] === 0) {
    throw new InputError({
      code: 'PKCS11_KEY_CANNOT_SIGN',
      message: 'the token key is not allowed to sign (CKA_SIGN is false)',
    });
  }
  const pair =
    id !== undefined && id.length > 0
      ? { type: p11.CKA_ID, value: id }
      : label
        ? { type: p11.CKA_LABEL, value: label }
        : undefined;
  const [pub] = pair
    ? findObjects(module, s, [{ type: p11.CKA_CLASS, value: p11.CKO_PUBLIC_KEY }, pair])
    : [];
  const from = (h: Handle) =>
    type === p11.CKK_EC
      ? both(
          attribute(module, s, h, p11.CKA_EC_PARAMS),
          attribute(module, s, h, p11.CKA_EC_POINT),
          ecPublicKey,
        )
      : type === p11.CKK_RSA
        ? both(
            attribute(module, s, h, p11.CKA_MODULUS),
            attribute(module, s, h, p11.CKA_PUBLIC_EXPONENT),
            rsaPublicKey,
          )
        : undefined;
  if (type !== p11.CKK_EC && type !== p11.CKK_RSA) {
    throw new InputError({
      code: 'KEY_ALGORITHM_UNSUPPORTED',
      message: `the token key has PKCS#11 key type ${type}; use an EC (P-256, P-384, P-521) or RSA key`,
    });
  }
  const key = (pub ? from(pub) : undefined) ?? from(priv) ?? certificateKey(p11, module, s, pair);
  if (!key) {
    throw new NotFoundError({
      code: 'PKCS11_PUBLIC_KEY_NOT_FOUND',
      message:
        "the token has no public key object or certificate with the private key's CKA_ID, so its public key cannot be read",
    });
  }
  return key;
}

function both<T>(
  a: Buffer | undefined,
  b: Buffer | undefined,
  f: (a: Buffer, b: Buffer) => T,
): T | undefined {
  return a !== undefined && b !== undefined ? f(a, b) : undefined;
}

function certificateKey(
  p11: Binding,
  module: Module,
  s: Handle,
  pair: { type: number; value: Buffer } | undefined,
): KeyObject | undefined {
  if (!pair) return undefined;
  const [cert] = findObjects(module, s, [{ type: p11.CKA_CLASS, value: p11.CKO_CERTIFICATE }, pair]);
  const der = cert ? attribute(module, s, cert, p11.CKA_VALUE) : undefined;
  if (!der) return undefined;
  try {
    return new X509Certificate(der).publicKey;
  } catch {
    return undefined;
  }
}
