import { UsageError } from '@modelseal/core';
import { LEGACY_PREDICATE_TYPE, OMS_PREDICATE_TYPE } from './oms.ts';

export const PREDICATE_TYPES = Object.freeze({
  slsa: 'https://slsa.dev/provenance/v1',
  oms: OMS_PREDICATE_TYPE,
  dataset: 'https://modelseal.dev/dataset-provenance/v1',
  cyclonedx: 'https://cyclonedx.org/bom',
  scan: 'https://modelseal.dev/scan-result/v1',
} as const);

/** a short name (`slsa`, `dataset`, `oms`, `cyclonedx`, `scan`) or any absolute URI -> the predicate type URI. */
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
  return required === actual || (required === PREDICATE_TYPES.oms && actual === LEGACY_PREDICATE_TYPE);
}
