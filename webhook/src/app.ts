import {
  type AdmissionPolicy,
  type AdmissionRequest,
  type CheckerConfig,
  createChecker,
  DEFAULT_CHECKER_CONFIG,
  decide,
  mutate,
  type PinConfig,
  type PolicyEngine,
  type Store,
  type VerifierConfig,
  type VerifyFn,
} from '@modelseal/admission';
import type { Logger } from './log.ts';
import { createMetrics } from './metrics.ts';
import { type RunningServer, type ServerConfig, startServer } from './server.ts';

/** Where policies come from (file or CRD informers): a snapshot and whether it has synced. */
export interface PolicySource {
  current(): readonly AdmissionPolicy[];
  ready(): boolean;
}

export interface WebhookConfig {
  readonly server: ServerConfig;
  /** must stay below the ValidatingWebhookConfiguration timeoutSeconds (10 s by default) */
  readonly deadlineMs: number;
  readonly cache: CheckerConfig;
  /** namespaces (names or globs) admitted without looking: see DecideDeps.excludeNamespaces */
  readonly excludeNamespaces?: readonly string[];
  /** start-up checks: /mutate injects verifier init containers, /validate requires them */
  readonly runtime?: VerifierConfig;
  /** tag pinning (`--pin-tags`): /mutate resolves tag-only model images */
  readonly pin?: PinConfig;
}

/** The one factory: store + verifier + engine + policies composed into a running HTTPS server. */
export async function startWebhook(
  config: WebhookConfig,
  deps: {
    policies: PolicySource;
    store: Store & { ready?(): boolean };
    verify: VerifyFn;
    engine: Pick<PolicyEngine, 'collectEvidence' | 'evaluate'>;
    log: Logger;
  },
): Promise<RunningServer> {
  const metrics = createMetrics();
  const store: Store = {
    async find(subject, predicateType) {
      try {
        return await deps.store.find(subject, predicateType);
      } catch (e) {
        metrics.storeError();
        throw e;
      }
    },
  };
  const checker = createChecker({
    store,
    verify: deps.verify,
    engine: deps.engine,
    now: Date.now,
    config: config.cache ?? DEFAULT_CHECKER_CONFIG,
  });
  const decideDeps = {
    policies: () => deps.policies.current(),
    checker,
    deadlineMs: config.deadlineMs,
    ...(config.excludeNamespaces ? { excludeNamespaces: config.excludeNamespaces } : {}),
    ...(config.runtime ? { runtime: config.runtime } : {}),
  };
  const { runtime, pin } = config;
  return startServer(config.server, {
    decide: (request: AdmissionRequest) => decide(request, decideDeps),
    ...(runtime || pin
      ? {
          mutate: async (request: AdmissionRequest) => {
            const m = await mutate(request, {
              ...decideDeps,
              ...(runtime ? { runtime } : {}),
              ...(pin ? { pin } : {}),
            });
            metrics.injected(m.injected);
            for (const p of m.pins)
              metrics.pin(p.failure ? 'failed' : pin!.mode === 'patch' ? 'pinned' : 'annotated');
            return m.response;
          },
        }
      : {}),
    ready: () => deps.policies.ready() && (deps.store.ready?.() ?? true),
    metrics,
    metricsExtra: () => ({
      modelseal_verify_cache_hits_total: checker.stats.verify.hits,
      modelseal_verify_cache_misses_total: checker.stats.verify.misses,
      modelseal_verify_coalesced_total: checker.stats.verify.coalesced + checker.stats.checks.coalesced,
    }),
    log: deps.log,
  });
}

export function staticPolicies(policies: readonly AdmissionPolicy[]): PolicySource {
  const frozen = Object.freeze([...policies]);
  return { current: () => frozen, ready: () => true };
}
