import type { X509Certificate } from 'node:crypto';
import { InputError, pae } from '@modelseal/core';
import type { Bundle } from '@sigstore/bundle';
import { toSignedEntity } from '@sigstore/verify';
import type { IdentityPolicy, SignerInfo, TrustedRoot } from '../types.ts';
import { withCurveHash } from './curve-hash.ts';
import { withoutStackTraces } from './fast-material.ts';
import { createSigstoreEntityVerifier, type SigstoreEntityVerifier } from './sigstore-verifier.ts';

/**
 * Trust material is expensive (certificate parsing): built once per trust root object and policy.
 * Roots are parsed once at the edge and shared, so the object is the key.
 */
const cache = new WeakMap<TrustedRoot, Map<string, SigstoreEntityVerifier>>();

function verifierFor(root: TrustedRoot, identity: IdentityPolicy | undefined): SigstoreEntityVerifier {
  let byIdentity = cache.get(root);
  if (!byIdentity) {
    byIdentity = new Map();
    cache.set(root, byIdentity);
  }
  const policyKey = JSON.stringify(identity ?? {});
  let verifier = byIdentity.get(policyKey);
  if (!verifier) {
    verifier = createSigstoreEntityVerifier({ trustedRoot: root, ...(identity ? { identity } : {}) });
    byIdentity.set(policyKey, verifier);
  }
  return verifier;
}

/**
 * Verifies a DSSE bundle against a Sigstore trust root and identity policy (TrustConfig kind
 * 'sigstore'); binding the statement to the model is the caller's job (verifyModel).
 */
export function verifySigstoreBundle(
  bundle: Bundle,
  trustedRoot: TrustedRoot,
  identity: IdentityPolicy | undefined,
  parsedLeaf?: X509Certificate,
): SignerInfo {
  const verifier = verifierFor(trustedRoot, identity);
  let entity: ReturnType<typeof toSignedEntity>;
  try {
    entity = withoutStackTraces(() => toSignedEntity(bundle));
  } catch (e) {
    throw new InputError({
      code: 'BUNDLE_INVALID',
      message: `the bundle's certificate or timestamp cannot be parsed: ${(e as Error).message}`,
      cause: e,
    });
  }
  if (bundle.content.$case === 'dsseEnvelope') {
    const env = bundle.content.dsseEnvelope;
    entity = withCurveHash(entity, () => pae(env.payloadType, env.payload));
  }
  return verifier.verify(bundle, entity, parsedLeaf);
}

/**
 * Builds (and keeps) the verifier for this root and identity policy now, e.g. when a policy is
 * loaded, so the first request does not pay for trust material.
 */
export function prepareSigstoreTrust(trustedRoot: TrustedRoot, identity: IdentityPolicy | undefined): void {
  verifierFor(trustedRoot, identity);
}
