import { sha256Hex } from '@modelseal/core';
import type { VerifiedStatement } from '@modelseal/verify';
import { type AdmittedContent, admittedContent } from './admitted.ts';
import { type CacheStats, createResultCache } from './cache.ts';
import type {
  Authority,
  Decision,
  EvaluationClock,
  ModelPolicy,
  PolicyEngine,
  Store,
  VerifyFn,
} from './contract.ts';

/**
 * One method: is `subject` ('sha256:<hex>') admitted by `policy`? Past `clock.deadline` it
 * rejects with DEADLINE_EXCEEDED (never cached) instead of running on.
 */
export interface Checker {
  check(subject: string, policy: ModelPolicy, clock?: EvaluationClock): Promise<CheckedDecision>;
}

/** A decision plus, when it admits, what the admitting attestation says the bytes are (see admitted.ts). */
export interface CheckedDecision extends Decision {
  readonly admitted?: AdmittedContent;
}

export interface CheckerConfig {
  readonly maxEntries: number;
  /** verified results are immutable facts about bytes; only trust-root rotation ends them */
  readonly ttlMs: number;
  readonly negativeTtlMs: number;
  /** whole decisions are reused this long: bounds how late a new or deleted attestation counts */
  readonly decisionTtlMs: number;
}

export const DEFAULT_CHECKER_CONFIG: CheckerConfig = Object.freeze({
  maxEntries: 10_000,
  ttlMs: 60 * 60_000,
  negativeTtlMs: 30_000,
  decisionTtlMs: 2_000,
});

/**
 * Composes store + verifier + policy engine. Verification, the expensive part, is cached by
 * (bundle digest, policy version, authority): a new policy version or a new bundle is a new key.
 * Whole checks for the same (subject, policy version) running at once are coalesced, and their
 * decision is reused for `decisionTtlMs`; a check that throws (store down) is never reused.
 */
export function createChecker(deps: {
  store: Store;
  verify: VerifyFn;
  engine: Pick<PolicyEngine, 'collectEvidence' | 'evaluate'>;
  now: () => number;
  config?: CheckerConfig;
}): Checker & { readonly stats: { verify: CacheStats; checks: CacheStats } } {
  const config = deps.config ?? DEFAULT_CHECKER_CONFIG;
  const verified = createResultCache<VerifiedStatement>({ ...config, now: deps.now });
  // decisions live briefly: the store is re-read at most every decisionTtlMs per (subject, policy)
  const checks = createResultCache<CheckedDecision>({
    maxEntries: config.maxEntries,
    ttlMs: config.decisionTtlMs,
    negativeTtlMs: 0,
    now: deps.now,
  });
  return {
    stats: { verify: verified.stats, checks: checks.stats },
    check(subject, policy, clock) {
      const verify = (bundle: Uint8Array, authority: Authority) =>
        verified.get(`${sha256Hex(bundle)}|${policy.version}|${authority.name}`, () =>
          deps.verify(bundle, authority),
        );
      return checks.get(`${subject}|${policy.version}`, async () => {
        const evidence = await deps.engine.collectEvidence({
          policy,
          subject,
          store: deps.store,
          verify,
          ...(clock ? { clock } : {}),
        });
        const decision = deps.engine.evaluate({ policy, subject, evidence, ...(clock ? { clock } : {}) });
        const admitted = decision.allowed ? admittedContent(subject, decision, evidence) : undefined;
        return admitted ? { ...decision, admitted } : decision;
      });
    },
  };
}
