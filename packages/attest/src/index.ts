export { validateResourceName } from './names.ts';
export {
  LEGACY_PREDICATE_TYPE,
  MAX_RESOURCES,
  manifestFromOmsStatement,
  OMS_PREDICATE_TYPE,
  omsStatement,
  omsSubjectDigest,
} from './oms.ts';
export {
  buildStatement,
  parseStatement,
  type ResourceDescriptor,
  STATEMENT_TYPE,
  type Statement,
  serializeStatement,
} from './statement.ts';
