import type { KeyObject } from 'node:crypto';
import { UsageError } from '@modelseal/core';
import { p256, p384, p521 } from '@noble/curves/nist.js';

const CURVES = { 'P-256': p256, 'P-384': p384, 'P-521': p521 } as const;

/**
 * Verifies an ECDSA signature given only the message digest (verify-blob `sha256:<hex>`): node's
 * crypto.verify always hashes its input, so the prehashed check goes through @noble/curves.
 * Ed25519 signs the message itself and RSA is not offered by Sigstore clients for blobs, so a
 * digest cannot be checked for those: the user must pass the file.
 */
export function verifyPrehashed(key: KeyObject, digest: Uint8Array, signatureDer: Uint8Array): boolean {
  const jwk = key.export({ format: 'jwk' });
  const curve = jwk.kty === 'EC' ? CURVES[jwk.crv as keyof typeof CURVES] : undefined;
  if (!curve || jwk.x === undefined || jwk.y === undefined) {
    throw new UsageError({
      code: 'DIGEST_ONLY_UNSUPPORTED',
      message: `a ${jwk.kty}${jwk.crv ? `/${jwk.crv}` : ''} message signature can only be checked against the artifact itself: pass the file instead of sha256:<hex>`,
    });
  }
  const point = Buffer.concat([
    Buffer.from([4]),
    Buffer.from(jwk.x, 'base64url'),
    Buffer.from(jwk.y, 'base64url'),
  ]);
  try {
    return curve.verify(signatureDer, digest, point, { prehash: false, format: 'der', lowS: false });
  } catch {
    return false;
  }
}
