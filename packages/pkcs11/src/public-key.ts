import { createPublicKey, type KeyObject } from 'node:crypto';
import { InputError } from '@modelseal/core';

/**
 * Turning what a token reports (CKA_EC_PARAMS + CKA_EC_POINT, CKA_MODULUS + CKA_PUBLIC_EXPONENT)
 * into a public KeyObject, and the token's raw ECDSA signature into the DER form bundles carry.
 * Pure: bytes in, values out.
 */

/** DER OIDs of the named curves a bundle may carry (PKIX_ECDSA_P256/P384/P521 key details). */
const CURVES: Record<string, { readonly crv: string; readonly size: number }> = {
  '06082a8648ce3d030107': { crv: 'P-256', size: 32 },
  '06052b81040022': { crv: 'P-384', size: 48 },
  '06052b81040023': { crv: 'P-521', size: 66 },
};

const b64url = (b: Uint8Array) => Buffer.from(b).toString('base64url');

export function ecPublicKey(params: Uint8Array, point: Uint8Array): KeyObject {
  const curve = CURVES[Buffer.from(params).toString('hex')];
  if (!curve) {
    throw new InputError({
      code: 'KEY_ALGORITHM_UNSUPPORTED',
      message: 'the token key is on an EC curve other than P-256, P-384 or P-521',
    });
  }
  const raw = uncompressedPoint(point, curve.size);
  try {
    return createPublicKey({
      key: {
        kty: 'EC',
        crv: curve.crv,
        x: b64url(raw.subarray(1, 1 + curve.size)),
        y: b64url(raw.subarray(1 + curve.size)),
      },
      format: 'jwk',
    });
  } catch {
    throw badPublic('its EC point is not on the curve');
  }
}

/**
 * CKA_EC_POINT is a DER OCTET STRING holding 04||X||Y; some tokens return the bare point. Both
 * start with 0x04, so the DER reading is taken only when its length works out exactly.
 */
function uncompressedPoint(point: Uint8Array, size: number): Uint8Array {
  const want = 1 + 2 * size;
  const b = Buffer.from(point);
  const inner = derOctetString(b);
  if (inner && inner.length === want && inner[0] === 0x04) return inner;
  if (b.length === want && b[0] === 0x04) return b;
  throw badPublic('its EC point is not an uncompressed point of the curve');
}

function derOctetString(b: Buffer): Buffer | undefined {
  if (b[0] !== 0x04 || b.length < 2) return undefined;
  const first = b[1] as number;
  if (first < 0x80) return b.length === 2 + first ? b.subarray(2) : undefined;
  if (first === 0x81 && b.length >= 3) return b.length === 3 + (b[2] as number) ? b.subarray(3) : undefined;
  return undefined;
}

export function rsaPublicKey(modulus: Uint8Array, exponent: Uint8Array): KeyObject {
  const n = stripZeros(modulus);
  const e = stripZeros(exponent);
  // Node builds a key from an empty or even modulus; no token key looks like that
  if (
    n.length === 0 ||
    n[0] === 0 ||
    ((n[n.length - 1] as number) & 1) === 0 ||
    e.length === 0 ||
    ((e[e.length - 1] as number) & 1) === 0
  ) {
    throw badPublic('its RSA modulus or exponent is not a valid one');
  }
  try {
    return createPublicKey({
      key: { kty: 'RSA', n: b64url(stripZeros(modulus)), e: b64url(stripZeros(exponent)) },
      format: 'jwk',
    });
  } catch {
    throw badPublic('its RSA modulus or exponent cannot be read');
  }
}

function stripZeros(b: Uint8Array): Uint8Array {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return b.subarray(i);
}

/** PKCS#11 CKM_ECDSA returns r||s (each the curve size); X.509 and Sigstore use DER SEQUENCE{r, s}. */
export function p1363ToDer(signature: Uint8Array): Buffer {
  if (signature.length === 0 || signature.length % 2 !== 0) {
    throw new InputError({
      code: 'PKCS11_SIGNATURE_INVALID',
      message: `the token returned a ${signature.length}-byte ECDSA signature, which is not r||s`,
    });
  }
  const half = signature.length / 2;
  const body = Buffer.concat([derInteger(signature.subarray(0, half)), derInteger(signature.subarray(half))]);
  return Buffer.concat([Buffer.from([0x30]), derLength(body.length), body]);
}

function derInteger(unsigned: Uint8Array): Buffer {
  let v = Buffer.from(stripZeros(unsigned));
  if ((v[0] as number) & 0x80) v = Buffer.concat([Buffer.from([0]), v]);
  return Buffer.concat([Buffer.from([0x02]), derLength(v.length), v]);
}

function derLength(n: number): Buffer {
  return n < 0x80 ? Buffer.from([n]) : Buffer.from([0x81, n]);
}

function badPublic(problem: string): InputError {
  return new InputError({
    code: 'PKCS11_PUBLIC_KEY_INVALID',
    message: `the public key read from the token is unusable: ${problem}`,
  });
}
