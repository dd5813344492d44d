export { DEFAULT_ADMISSION_SETTINGS } from './admission.ts';
export { CEL_LIMITS, compileCondition } from './cel.ts';
export { collectEvidence } from './collect.ts';
export { attestableDependencies, type Dependency } from './deps.ts';
export { boundAttestations, evaluate } from './evaluate.ts';
export { canonicalJson, POLICY_API_VERSION, parsePolicy } from './parse.ts';
export type {
  AdmissionSettings,
  Authority,
  CollectInput,
  Condition,
  ConditionResult,
  ConditionVars,
  Decision,
  EvaluateInput,
  EvaluationClock,
  Evidence,
  EvidenceFailure,
  Mode,
  ModelPolicy,
  ParseOptions,
  Reason,
  Requirement,
  SharedBudget,
  Unpinned,
  VerifiedAttestation,
  VerifyFn,
} from './types.ts';
