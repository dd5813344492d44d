export { CYCLONEDX_BOM, parseCycloneDxPredicate } from './cyclonedx.ts';
export { DATASET_PROVENANCE_V1, type DatasetProvenance, parseDatasetProvenance } from './dataset.ts';
export { validateResourceName } from './names.ts';
export {
  LEGACY_PREDICATE_TYPE,
  MAX_RESOURCES,
  manifestFromOmsStatement,
  OMS_PREDICATE_TYPE,
  omsStatement,
} from './oms.ts';
export { PREDICATE_TYPES, predicateTypeMatches, resolvePredicateType } from './predicate.ts';
export { PREDICATES, type Predicate, type PredicateEntry, predicateFor } from './registry.ts';
export { parseScanResultPredicate, SCAN_RESULT_V1 } from './scan-result.ts';
export {
  buildSlsaProvenance,
  parseSlsaProvenance,
  SLSA_PROVENANCE_V1,
  type SlsaInput,
  type SlsaProvenance,
  TRAINING_BUILD_TYPE,
} from './slsa.ts';
export { type CiContext, detectCi, type Env } from './slsa-ci.ts';
export {
  type DependencyRef,
  type DependencyRole,
  dependencyDescriptor,
  gitSourceDescriptor,
  parseDependencyRef,
  ROLE_ANNOTATION,
  scrubGitUrl,
} from './slsa-deps.ts';
export { parseKeyValues, parseSlsaSpec, type SlsaSpec } from './slsa-spec.ts';
export {
  buildStatement,
  parseStatement,
  type ResourceDescriptor,
  STATEMENT_TYPE,
  type Statement,
  serializeStatement,
} from './statement.ts';
