import { UsageError } from '@modelseal/core';

export const PREDICATE_TYPES = Object.freeze({
  slsa: 'https://slsa.dev/provenance/v1',
  oms: 'https://model_signing/signature/v1.0',
  dataset: 'https://modelseal.dev/dataset-provenance/v1',
} as const);

/** Accepted when verifying an OMS requirement; never written. */
export const LEGACY_OMS_TYPE = 'https://model_signing/Digests/v0.1';

/** `slsa` | `dataset` | `oms` | any absolute URI -> the predicate type URI. */
export function resolvePredicateType(nameOrUri: string): string {
  if (Object.hasOwn(PREDICATE_TYPES, nameOrUri))
    return PREDICATE_TYPES[nameOrUri as keyof typeof PREDICATE_TYPES];
  if (typeof nameOrUri === 'string' && nameOrUri.length <= 1024 && /^[a-z][a-z0-9+.-]*:\S+$/i.test(nameOrUri))
    return nameOrUri;
  throw new UsageError({
    code: 'BAD_PREDICATE_TYPE',
    message: `predicate type ${JSON.stringify(String(nameOrUri).slice(0, 100))} is neither a short name (${Object.keys(PREDICATE_TYPES).join(', ')}) nor a URI`,
  });
}

/** Whether a statement of type `actual` satisfies a requirement for `required`. */
export function predicateTypeMatches(required: string, actual: string): boolean {
  return required === actual || (required === PREDICATE_TYPES.oms && actual === LEGACY_OMS_TYPE);
}
