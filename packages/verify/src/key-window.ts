import type { KeyObject } from 'node:crypto';
import { InputError, VerificationError } from '@modelseal/core';
import { type SignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';
import type { KeyTimestampPolicy, TrustedRoot } from './types.ts';

/** Only the timestamp decides the signing time here: no transparency log is consulted for keys. */
const ONE_TIMESTAMP = { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 1 } as const;

/**
 * Verifies a key signature whose signing time must be vouched for by a trusted TSA and fall in
 * the key's validity window. `entity` must carry the bundle's RFC 3161 timestamps.
 */
export function verifyKeyAtSigningTime(
  entity: SignedEntity,
  key: KeyObject,
  hint: string,
  policy: KeyTimestampPolicy,
): void {
  const root = tsaRoot(policy.trustedRoot);
  if (entity.timestamps.length === 0) {
    throw new VerificationError({
      code: 'TIMESTAMP_REQUIRED',
      message:
        'the bundle carries no RFC 3161 timestamp, but a key validity window or timestamp authority was given; the signature must be timestamped when it is made',
    });
  }
  let rejected: Date | undefined;
  const material = toTrustMaterial(root, (h) => {
    if (h !== hint) throw new VerificationError({ code: 'KEY_NOT_TRUSTED', message: 'unexpected key' });
    return {
      publicKey: key,
      validFor: (at: Date) => {
        const ok = inWindow(at, policy);
        if (!ok) rejected = at;
        return ok;
      },
    };
  });
  try {
    new Verifier(material, ONE_TIMESTAMP).verify(entity);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'PUBLIC_KEY_ERROR' && rejected) {
      throw new VerificationError({
        code: 'KEY_NOT_VALID_AT_SIGNING_TIME',
        message: `the timestamp authority says the bundle was signed at ${rejected.toISOString()}, outside the key's validity window ${describeWindow(policy)}`,
        details: {
          signedAt: rejected.toISOString(),
          validFrom: policy.validFrom?.toISOString() ?? null,
          validUntil: policy.validUntil?.toISOString() ?? null,
        },
      });
    }
    if (code === 'TIMESTAMP_ERROR') {
      throw new VerificationError({
        code: 'TIMESTAMP_UNTRUSTED',
        message: `the bundle's RFC 3161 timestamp does not verify against the trusted timestamp authorities (${(e as Error).message}); give the trusted root of the TSA that was used when signing`,
        cause: e,
      });
    }
    throw e;
  }
}

function inWindow(at: Date, { validFrom, validUntil }: KeyTimestampPolicy): boolean {
  return (!validFrom || at >= validFrom) && (!validUntil || at <= validUntil);
}

function describeWindow({ validFrom, validUntil }: KeyTimestampPolicy): string {
  return `[${validFrom?.toISOString() ?? 'open'} .. ${validUntil?.toISOString() ?? 'open'}]`;
}

function tsaRoot(root: TrustedRoot): TrustedRoot {
  if (root.timestampAuthorities.length === 0) {
    throw new InputError({
      code: 'TRUST_ROOT_NO_TSA',
      message:
        'the trusted root given for key timestamps lists no timestampAuthorities, so no signing time can be trusted',
    });
  }
  // the other authorities vouch for certificates and logs, which a bare key has none of
  return { ...root, tlogs: [], ctlogs: [], certificateAuthorities: [] };
}
