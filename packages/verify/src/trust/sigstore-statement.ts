import { InputError, pae } from '@modelseal/core';
import type { Bundle } from '@sigstore/bundle';
import { toSignedEntity } from '@sigstore/verify';
import type { IdentityPolicy, SignerInfo } from '../types.ts';
import { withCurveHash } from './curve-hash.ts';
import { publicGoodTrustedRoot } from './public-good.ts';
import { createSigstoreEntityVerifier, type SigstoreEntityVerifier } from './sigstore-verifier.ts';
import { parseTrustedRoot } from './trusted-root.ts';

const PUBLIC_GOOD = {};
/** Trust material is expensive (certificate parsing): built once per trust root object and policy. */
const cache = new WeakMap<object, Map<string, SigstoreEntityVerifier>>();

function verifierFor(trustedRoot: unknown, identity: IdentityPolicy | undefined): SigstoreEntityVerifier {
  const key = trustedRoot === undefined ? PUBLIC_GOOD : trustedRoot;
  if (typeof key !== 'object' || key === null) {
    throw new InputError({
      code: 'TRUST_ROOT_INVALID',
      message: 'the Sigstore trusted root is not a JSON object',
    });
  }
  let byIdentity = cache.get(key);
  if (!byIdentity) {
    byIdentity = new Map();
    cache.set(key, byIdentity);
  }
  const policyKey = JSON.stringify(identity ?? {});
  let verifier = byIdentity.get(policyKey);
  if (!verifier) {
    const root = trustedRoot === undefined ? publicGoodTrustedRoot() : parseTrustedRoot(trustedRoot);
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
  trustedRoot: unknown,
  identity: IdentityPolicy | undefined,
): SignerInfo {
  const verifier = verifierFor(trustedRoot, identity);
  let entity: ReturnType<typeof toSignedEntity>;
  try {
    entity = toSignedEntity(bundle);
  } catch (e) {
    throw new InputError({
      code: 'BUNDLE_INVALID',
      message: `the bundle's certificate or timestamp cannot be parsed: ${(e as Error).message}`,
      cause: e,
    });
  }
  if (bundle.content.$case === 'dsseEnvelope') {
    const env = bundle.content.dsseEnvelope;
    entity = withCurveHash(entity, pae(env.payloadType, env.payload));
  }
  return verifier.verify(bundle, entity);
}
