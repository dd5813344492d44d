export type { AdmissionRequest, AdmissionResponse, AdmissionReview } from './admission.ts';
export { parseReview, reviewOf } from './admission.ts';
export { type CacheStats, createResultCache, type ResultCache } from './cache.ts';
export { type Checker, type CheckerConfig, createChecker, DEFAULT_CHECKER_CONFIG } from './checker.ts';
export type {
  Authority,
  Decision,
  Evidence,
  ModelPolicy,
  PolicyEngine,
  Reason,
  Store,
  StoredBundle,
  VerifiedAttestation,
  VerifyFn,
} from './contract.ts';
export { type DecideDeps, decide, deny, WARNING_MAX, warning } from './decide.ts';
export { realDirectoryStore, realEngine, realVerify } from './engine.ts';
export { ADMITTED_KINDS, createExtractor, type Extractor, type ModelRef } from './extractor.ts';
export { type ObjectVerdict, requestsFromManifests, testManifests } from './offline.ts';
export { POLICY_API_VERSION, parseYamlDocuments, toAdmissionPolicy } from './policies.ts';
export {
  type AdmissionPolicy,
  type AdmissionSettings,
  admissionSettings,
  DIGEST_ANNOTATION_PREFIX,
  globMatch,
  type Mode,
  policyApplies,
  type Unpinned,
} from './settings.ts';
