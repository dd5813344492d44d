/**
 * Informer-backed sources: ModelAttestation objects feed the Kubernetes store, ModelPolicy and
 * ClusterModelPolicy objects feed the policy snapshot. Lists once, then watches; client-node's
 * ListWatch relists on 410 Gone and resumes from the last resourceVersion after a dropped watch.
 */
import * as k8s from '@kubernetes/client-node';
import { type AdmissionPolicy, type PolicyEngine, policyOrBroken } from '@modelseal/admission';
import { InternalError } from '@modelseal/core';
import { type KubernetesStore, openStore } from '@modelseal/store';
import type { PolicySource } from './app.ts';
import type { Logger } from './log.ts';

export const GROUP = 'modelseal.dev';
export const VERSION = 'v1alpha1';
export const PLURALS = {
  attestations: 'modelattestations',
  policies: 'modelpolicies',
  clusterPolicies: 'clustermodelpolicies',
} as const;

export interface KubeSources {
  readonly policies: PolicySource;
  readonly store: KubernetesStore & { ready(): boolean };
  /** the connection the informers use, for other readers (the reporter) */
  readonly kc: k8s.KubeConfig;
  /** called after any policy or attestation object was added, changed or deleted */
  onChange(listener: (what: 'policy' | 'attestation') => void): void;
  stop(): Promise<void>;
}

/** In a pod: the service account. Never loadFromDefault(): it silently falls back to localhost:8080. */
export function inClusterSources(
  engine: Pick<PolicyEngine, 'parsePolicy'>,
  log: Logger,
): Promise<KubeSources> {
  const kc = new k8s.KubeConfig();
  try {
    kc.loadFromCluster();
  } catch (e) {
    throw new InternalError({
      code: 'KUBE_CONFIG_UNAVAILABLE',
      message: `--kubernetes needs an in-cluster service account: ${(e as Error).message}`,
    });
  }
  if (!kc.getCurrentCluster()?.server || kc.getCurrentCluster()?.server.includes('undefined')) {
    throw new InternalError({
      code: 'KUBE_CONFIG_UNAVAILABLE',
      message: '--kubernetes: KUBERNETES_SERVICE_HOST/PORT are not set; is this running in a pod?',
    });
  }
  return kubeSources(kc, engine, log);
}

export async function kubeSources(
  kc: k8s.KubeConfig,
  engine: Pick<PolicyEngine, 'parsePolicy'>,
  log: Logger,
  opts: { retryMs?: number } = {},
): Promise<KubeSources> {
  const api = kc.makeApiClient(k8s.CustomObjectsApi);
  const informers: (k8s.Informer<k8s.KubernetesObject> & { latestResourceVersion?(): string })[] = [];
  const synced = new Set<string>();
  const lastError = new Map<string, string>();
  let stopped = false;
  const make = (plural: string) => {
    const inf = k8s.makeInformer<k8s.KubernetesObject>(kc, `/apis/${GROUP}/${VERSION}/${plural}`, () =>
      api.listClusterCustomObject({ group: GROUP, version: VERSION, plural }),
    );
    // ListWatch stops on errors other than 410/timeouts; restarting relists from scratch
    inf.on('error', (e) => {
      lastError.set(plural, String((e as Error)?.message ?? e));
      log('warn', 'watch failed, restarting', { plural, error: lastError.get(plural) });
      if (!stopped) setTimeout(() => !stopped && inf.start().catch(() => {}), opts.retryMs ?? 2000).unref();
    });
    informers.push(inf);
    return inf;
  };

  const listeners: ((what: 'policy' | 'attestation') => void)[] = [];
  const changed = (what: 'policy' | 'attestation') => {
    for (const l of listeners) l(what);
  };
  const store = openStore({ kind: 'kubernetes' }).store;
  const att = make(PLURALS.attestations);
  for (const ev of ['add', 'update', 'delete'] as const)
    att.on(ev, (o) => {
      if (ev === 'delete') store.remove(o);
      else store.upsert(o);
      changed('attestation');
    });

  let snapshot: readonly AdmissionPolicy[] | undefined;
  const dirty = () => {
    snapshot = undefined;
    changed('policy');
  };
  const nsPolicies = make(PLURALS.policies);
  const clusterPolicies = make(PLURALS.clusterPolicies);
  for (const inf of [nsPolicies, clusterPolicies])
    for (const ev of ['add', 'update', 'delete'] as const) inf.on(ev, dirty);

  const policies: PolicySource = {
    ready: () => synced.size === informers.length,
    current() {
      if (!this.ready()) {
        throw new InternalError({
          code: 'POLICIES_NOT_SYNCED',
          message: 'policy custom resources have not been listed yet',
        });
      }
      if (snapshot === undefined) {
        snapshot = Object.freeze(
          [...clusterPolicies.list(), ...nsPolicies.list()].map((o) => toPolicyOrBroken(o, engine, log)),
        );
      }
      return snapshot;
    },
  };

  const plurals = [PLURALS.attestations, PLURALS.policies, PLURALS.clusterPolicies];
  await Promise.all(informers.map((inf) => inf.start()));
  // start() resolves even when the first list failed; an empty resourceVersion says it did
  const failed = informers
    .map((inf, i) => (inf.latestResourceVersion?.() ? '' : plurals[i]!))
    .filter(Boolean);
  if (failed.length > 0) {
    stopped = true;
    await Promise.all(informers.map((i) => i.stop()));
    throw new InternalError({
      code: 'KUBE_LIST_FAILED',
      message: `cannot list ${failed.map((p) => `${p}.${GROUP}`).join(', ')} (${failed.map((p) => lastError.get(p) ?? 'no answer').join('; ')}): are the CRDs installed (deploy/manifests/00-crds.yaml) and may the service account list them?`,
    });
  }
  informers.forEach((_, i) => {
    synced.add(String(i));
  });
  return {
    policies,
    store: Object.assign(store, { ready: () => synced.size === informers.length }),
    kc,
    onChange: (l) => {
      listeners.push(l);
    },
    async stop() {
      stopped = true;
      await Promise.all(informers.map((i) => i.stop()));
    },
  };
}

/** A policy object that does not parse still applies: it denies (fail closed) where it would apply. */
function toPolicyOrBroken(
  o: k8s.KubernetesObject,
  engine: Pick<PolicyEngine, 'parsePolicy'>,
  log: Logger,
): AdmissionPolicy {
  const { policy, error } = policyOrBroken(o, engine);
  if (error)
    log('error', 'policy object rejected; it denies until fixed', {
      source: policy.source,
      code: error.code,
    });
  return policy;
}
