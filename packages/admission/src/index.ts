export type { AdmissionRequest, AdmissionResponse, AdmissionReview } from './admission.ts';
export { parseReview, reviewOf } from './admission.ts';
export { type AdmittedContent, admittedContent, PREDICATE_EMBED_MAX } from './admitted.ts';
export { type CacheStats, createResultCache, type ResultCache } from './cache.ts';
export {
  type CheckedDecision,
  type Checker,
  type CheckerConfig,
  createChecker,
  DEFAULT_CHECKER_CONFIG,
} from './checker.ts';
export type {
  AdmissionSettings,
  Authority,
  Decision,
  EvaluationClock,
  Evidence,
  Mode,
  ModelPolicy,
  ParseOptions,
  PolicyEngine,
  Reason,
  Store,
  StoredBundle,
  Unpinned,
  VerifiedAttestation,
  VerifyFn,
} from './contract.ts';
export { type DecideDeps, decide, deny, WARNING_MAX, warning } from './decide.ts';
export { createEngine, realVerify } from './engine.ts';
export { ADMITTED_KINDS, createExtractor, type Extractor, type ModelRef } from './extractor.ts';
export { globMatch } from './glob.ts';
export {
  type InventoryDeps,
  inventoryOf,
  inventoryOfManifests,
  type ModelEntry,
  type ModelResult,
  type WorkloadEntry,
} from './inventory.ts';
export { type MutateDeps, type Mutation, mutate } from './mutate.ts';
export { type MutationPlan, type PatchOp, planMutation } from './mutation.ts';
export { type ObjectVerdict, requestsFromManifests, testManifests } from './offline.ts';
export {
  type PinConfig,
  type PinMode,
  type PinPlan,
  type PinResult,
  pinnable,
  planPins,
  RESOLVED_ANNOTATION_PREFIX,
  resolvedAnnotation,
  type TagResolver,
} from './pin.ts';
export { POLICY_API_VERSION, parseYamlDocuments, policyOrBroken, toAdmissionPolicy } from './policies.ts';
export {
  type ObjectRef,
  POLICY_REPORT_API_VERSION,
  type PolicyReport,
  type PolicyReportResult,
  policyReportOf,
  REPORT_MANAGED_BY,
  REPORT_NAME_PREFIX,
  REPORT_SOURCE,
  type ReportResult,
  reportFingerprint,
  reportName,
} from './policy-report.ts';
export {
  type AdmissionPolicy,
  DEFAULT_ADMISSION_SETTINGS,
  DIGEST_ANNOTATION_PREFIX,
  policyApplies,
} from './settings.ts';
export {
  type Container,
  MANIFEST_ENV,
  TERMINATION_LOG,
  VERIFIER_COMMAND,
  VERIFIER_MOUNT_ROOT,
  VERIFIER_NAME_PREFIX,
  type VerifierCheck,
  type VerifierConfig,
  verifierArgs,
  verifierContainer,
  verifierName,
} from './verifier.ts';
