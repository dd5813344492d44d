export { LEGACY_OMS_TYPE, PREDICATE_TYPES, predicateTypeMatches, resolvePredicateType } from './predicate.ts';
export type { ResourceDescriptor, Statement } from './statement.ts';
// buildStatement / parseStatement / omsStatement(manifest) / manifestFromOmsStatement(statement)
