/**
 * What the webhook consumes from @modelseal/policy and @modelseal/store, in one place: decide()
 * and the checker depend on these names only, so tests can hand in stand-ins where useful.
 */
import type { collectEvidence, evaluate, parsePolicy } from '@modelseal/policy';

export type {
  Authority,
  Decision,
  EvaluationClock,
  Evidence,
  ModelPolicy,
  Reason,
  VerifiedAttestation,
  VerifyFn,
} from '@modelseal/policy';
export type { FoundBundles, Store, StoredBundle } from '@modelseal/store';

/** parsePolicy + collectEvidence + evaluate, as exported by @modelseal/policy. */
export interface PolicyEngine {
  readonly parsePolicy: typeof parsePolicy;
  readonly collectEvidence: typeof collectEvidence;
  readonly evaluate: typeof evaluate;
}
