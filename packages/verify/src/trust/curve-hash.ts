import { isModelsealError } from '@modelseal/core';
import { verifyBytes } from '@modelseal/keys';
import type { SignedEntity } from '@sigstore/verify';

/**
 * @sigstore/verify checks every ECDSA signature with SHA-256, whatever the curve. model_signing,
 * modelseal and sigstore-go sign with the curve's own hash (SHA-384 on P-384, SHA-512 on P-521),
 * so such bundles would never verify. The signature is accepted with either digest: both are
 * collision-resistant, and the key is the one the caller already chose to trust. The signed bytes
 * are asked for only when the SHA-256 check failed (a P-256 signature never needs them).
 */
export function withCurveHash(entity: SignedEntity, signedBytes: () => Uint8Array): SignedEntity {
  const inner = entity.signature;
  return {
    ...entity,
    signature: {
      signature: inner.signature,
      compareSignature: (s) => inner.compareSignature(s),
      compareDigest: (d) => inner.compareDigest(d),
      compareSignedDigest: (d) => inner.compareSignedDigest(d),
      verifySignature: (key) =>
        inner.verifySignature(key) || curveHashVerifies(key, signedBytes(), inner.signature),
    },
  };
}

function curveHashVerifies(
  key: Parameters<SignedEntity['signature']['verifySignature']>[0],
  data: Uint8Array,
  signature: Uint8Array,
): boolean {
  try {
    return verifyBytes(key, data, signature);
  } catch (e) {
    // a key type modelseal does not sign with (e.g. secp256k1): only the SHA-256 check applies
    if (isModelsealError(e)) return false;
    throw e;
  }
}
