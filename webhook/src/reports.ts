/**
 * The background reporter (`--reports`): every pod the pod informer sees is evaluated under
 * today's policies with the admission engine (inventoryOf) and written as one PolicyReport in its
 * namespace (report-writer.ts). A pod is evaluated again when it appears or changes, when any
 * policy or attestation changes, and at every resync; its report goes when the pod does (and with
 * it anyway: the report is owned by the pod). Work goes through report-queue.ts: debounced,
 * bounded, behind admission.
 */
import * as k8s from '@kubernetes/client-node';
import {
  type CheckerConfig,
  createChecker,
  DEFAULT_CHECKER_CONFIG,
  globMatch,
  inventoryOf,
  type PolicyEngine,
  policyReportOf,
  realVerify,
  reportFingerprint,
  type Store,
  type VerifyFn,
} from '@modelseal/admission';
import { InternalError, isModelsealError } from '@modelseal/core';
import type { PolicySource } from './app.ts';
import type { KubeSources } from './kube.ts';
import type { Logger } from './log.ts';
import { createRateLimiter, createWorkQueue } from './report-queue.ts';
import { openReportWriter } from './report-writer.ts';

export interface ReporterConfig {
  readonly debounceMs: number;
  /** evaluations at once; each is CPU on the thread that answers admission */
  readonly concurrency: number;
  readonly maxDeferMs: number;
  readonly writesPerSecond: number;
  readonly writeBurst: number;
  /** every pod again this often, as Kyverno's background scan does (certificates expire, say) */
  readonly resyncMs: number;
  readonly retryMs: number;
  readonly deadlineMs: number;
  /** namespaces (globs) the webhook does not look at get no reports either */
  readonly excludeNamespaces: readonly string[];
}

export const DEFAULT_REPORTER_CONFIG: Omit<ReporterConfig, 'deadlineMs' | 'excludeNamespaces'> =
  Object.freeze({
    debounceMs: 250,
    concurrency: 2,
    maxDeferMs: 1000,
    writesPerSecond: 10,
    writeBurst: 20,
    resyncMs: 10 * 60_000,
    retryMs: 5_000,
  });

export interface ReporterStats {
  evaluations: number;
  writes: number;
  deletes: number;
  unchanged: number;
  errors: number;
}

export interface Reporter {
  readonly stats: Readonly<ReporterStats>;
  /** keys waiting or running */
  readonly queued: number;
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export interface ReporterDeps {
  readonly kc: k8s.KubeConfig;
  readonly policies: PolicySource;
  readonly store: Store & { ready?(): boolean };
  readonly onChange: (listener: () => void) => void;
  readonly verify: VerifyFn;
  readonly engine: Pick<PolicyEngine, 'collectEvidence' | 'evaluate'>;
  readonly log: Logger;
  /** true while admission reviews are in flight: the reporter waits for them */
  readonly busy?: () => boolean;
  readonly cache?: CheckerConfig;
}

type Pod = k8s.V1Pod;
/** a plain object: what the extractor reads and nothing else */
type SlimPod = {
  apiVersion: 'v1';
  kind: 'Pod';
  metadata: {
    name?: string;
    namespace?: string;
    uid?: string;
    annotations?: Record<string, string>;
    deletionTimestamp?: unknown;
  };
  spec?: unknown;
  status?: { phase?: string };
};

export async function startReporter(config: ReporterConfig, deps: ReporterDeps): Promise<Reporter> {
  const stats: ReporterStats = { evaluations: 0, writes: 0, deletes: 0, unchanged: 0, errors: 0 };
  // its own decision cache of 0 ms: a report written from a decision cached just before an
  // attestation was deleted would stay wrong until the next resync. Verified bundles are cached.
  const checker = createChecker({
    store: deps.store,
    verify: deps.verify,
    engine: deps.engine,
    now: Date.now,
    config: { ...(deps.cache ?? DEFAULT_CHECKER_CONFIG), decisionTtlMs: 0 },
  });
  const writer = await openReportWriter(
    deps.kc,
    createRateLimiter({ perSecond: config.writesPerSecond, burst: config.writeBurst }),
  );

  const pods = new Map<string, SlimPod>();
  /** what each pod was last evaluated on: unchanged pods (status churn) are not evaluated again */
  const seen = new Map<string, string>();
  let epoch = 0;
  let stopped = false;

  const evaluate = async (uid: string) => {
    if (!deps.policies.ready() || !(deps.store.ready?.() ?? true)) {
      retry(uid);
      return;
    }
    const pod = pods.get(uid);
    const ns = pod?.metadata?.namespace ?? '';
    if (!pod || !live(pod) || config.excludeNamespaces.some((g) => globMatch(g, ns))) {
      if (await writer.remove(uid)) stats.deletes++;
      return;
    }
    stats.evaluations++;
    const stamp = `${epoch}|${podFingerprint(pod)}`;
    const entry = await inventoryOf(
      pod,
      { kind: 'Pod', namespace: ns, name: pod.metadata?.name ?? '', uid, document: 0 },
      { policies: deps.policies.current(), checker, deadlineMs: config.deadlineMs },
    );
    const report = policyReportOf(entry, new Date());
    if (report === undefined) {
      if (await writer.remove(uid)) stats.deletes++;
    } else if ((await writer.put(report, reportFingerprint(report))) === 'written') stats.writes++;
    else stats.unchanged++;
    seen.set(uid, stamp);
  };

  const queue = createWorkQueue<string>(config, evaluate, {
    ...(deps.busy ? { busy: deps.busy } : {}),
    onError: (uid, e) => {
      stats.errors++;
      deps.log('warn', 'policy report not written; retrying', {
        pod: uid,
        code: (e as { code?: unknown }).code,
        error: String((e as Error)?.message ?? e),
      });
      retry(uid);
    },
  });
  const retry = (uid: string) => {
    if (!stopped) setTimeout(() => queue.add(uid), config.retryMs).unref();
  };
  const all = () => {
    for (const uid of new Set([...pods.keys(), ...writer.known()])) queue.add(uid);
  };

  const core = deps.kc.makeApiClient(k8s.CoreV1Api);
  const informer: k8s.Informer<Pod> & { latestResourceVersion?(): string } = k8s.makeInformer<Pod>(
    deps.kc,
    '/api/v1/pods',
    () => core.listPodForAllNamespaces(),
  );
  let listError = '';
  let started = false;
  const track = (pod: Pod) => {
    const uid = pod.metadata?.uid;
    if (!uid) return;
    pods.set(uid, slim(pod));
    if (seen.get(uid) !== `${epoch}|${podFingerprint(pod)}`) queue.add(uid);
  };
  informer.on('add', track);
  informer.on('update', track);
  informer.on('delete', (pod) => {
    const uid = pod.metadata?.uid;
    if (!uid) return;
    pods.delete(uid);
    seen.delete(uid);
    queue.add(uid);
  });
  informer.on('error', (e) => {
    listError = String((e as Error)?.message ?? e).slice(0, 200);
    if (!started) return;
    deps.log('warn', 'pod watch failed, restarting', { error: String((e as Error)?.message ?? e) });
    if (!stopped) setTimeout(() => !stopped && informer.start().catch(() => {}), config.retryMs).unref();
  });
  deps.onChange(() => {
    epoch++;
    all();
  });
  await informer.start();
  // start() resolves even when the first list failed; an empty resourceVersion says it did
  if (!informer.latestResourceVersion?.()) {
    stopped = true;
    await informer.stop();
    throw new InternalError({
      code: 'REPORTS_UNAVAILABLE',
      message: `cannot list pods (${listError || 'no answer'}): may the service account list and watch pods?`,
    });
  }
  started = true;
  // reports whose pod went while no reporter ran: the sweep finds no pod and deletes them
  all();
  const resync = setInterval(() => {
    epoch++;
    all();
  }, config.resyncMs);
  resync.unref();
  deps.log('info', 'policy reports on', { pods: pods.size, reports: writer.known().length });

  return {
    stats,
    get queued() {
      return queue.size;
    },
    idle: () => queue.idle(),
    async stop() {
      stopped = true;
      clearInterval(resync);
      await informer.stop();
      await queue.stop();
    },
  };
}

/** A pod that runs or is about to; a finished one (Succeeded/Failed) runs no model any more. */
function live(pod: Pod | SlimPod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && pod.metadata?.deletionTimestamp === undefined;
}

/** What an evaluation reads from a pod; status churn (conditions, restarts) is not part of it. */
function podFingerprint(pod: Pod | SlimPod): string {
  return JSON.stringify([
    pod.metadata?.annotations ?? {},
    pod.spec ?? {},
    live(pod),
    pod.metadata?.namespace,
    pod.metadata?.name,
  ]);
}

/** The fields the extractor and the report use; the informer's cache keeps the rest. */
function slim(pod: Pod): SlimPod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      ...(pod.metadata?.name !== undefined ? { name: pod.metadata.name } : {}),
      ...(pod.metadata?.namespace !== undefined ? { namespace: pod.metadata.namespace } : {}),
      ...(pod.metadata?.uid !== undefined ? { uid: pod.metadata.uid } : {}),
      ...(pod.metadata?.annotations !== undefined ? { annotations: pod.metadata.annotations } : {}),
      ...(pod.metadata?.deletionTimestamp !== undefined
        ? { deletionTimestamp: pod.metadata.deletionTimestamp }
        : {}),
    },
    ...(pod.spec !== undefined ? { spec: pod.spec } : {}),
    ...(pod.status?.phase !== undefined ? { status: { phase: pod.status.phase } } : {}),
  };
}

/**
 * main's entry: the reporter over the informer-backed sources, or none, with a warning, when the
 * PolicyReport CRD is missing or RBAC refuses it. Reports are an extra; admission never waits on them.
 */
export async function startReportsOrWarn(
  kube: KubeSources,
  o: {
    engine: Pick<PolicyEngine, 'collectEvidence' | 'evaluate'>;
    deadlineMs: number;
    excludeNamespaces: readonly string[];
    busy: () => boolean;
    log: Logger;
  },
): Promise<Reporter | undefined> {
  try {
    return await startReporter(
      { ...DEFAULT_REPORTER_CONFIG, deadlineMs: o.deadlineMs, excludeNamespaces: o.excludeNamespaces },
      {
        kc: kube.kc,
        policies: kube.policies,
        store: kube.store,
        onChange: (l) => kube.onChange(l),
        verify: realVerify,
        engine: o.engine,
        log: o.log,
        busy: o.busy,
      },
    );
  } catch (e) {
    if (!isModelsealError(e) || e.code !== 'REPORTS_UNAVAILABLE') throw e;
    o.log('warn', 'policy reports off', { code: e.code, message: e.message });
    return undefined;
  }
}
