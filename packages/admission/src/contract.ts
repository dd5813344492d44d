/**
 * What the webhook consumes from @modelseal/policy and @modelseal/store, in one place: decide()
 * and the checker depend on these names only, so tests can hand in stand-ins where useful.
 */
import type { collectEvidence, evaluate, ModelPolicy } from '@modelseal/policy';

export type {
  AdmissionSettings,
  Authority,
  Decision,
  EvaluationClock,
  Evidence,
  Mode,
  ModelPolicy,
  ParseOptions,
  Reason,
  Unpinned,
  VerifiedAttestation,
  VerifyFn,
} from '@modelseal/policy';
export type { FoundBundles, Store, StoredBundle } from '@modelseal/store';

/** parsePolicy (its ParseOptions bound at the edge) + collectEvidence + evaluate of @modelseal/policy. */
export interface PolicyEngine {
  readonly parsePolicy: (doc: unknown, source: string) => ModelPolicy;
  readonly collectEvidence: typeof collectEvidence;
  readonly evaluate: typeof evaluate;
}
