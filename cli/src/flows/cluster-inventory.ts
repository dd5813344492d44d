import type { AdmissionPolicy, Checker, Store, WorkloadEntry } from '@modelseal/admission';
import { err } from '../io.ts';
import { type RegistryArgs, registryFrom } from '../options/registry.ts';
import { cliStore } from '../options/store.ts';

export interface ClusterInventoryOptions {
  readonly kubeconfig: string;
  readonly context: string | undefined;
  /** only this namespace's pods; all namespaces when undefined */
  readonly namespace: string | undefined;
  /** instead of the cluster's policy objects: what-if with candidate policies */
  readonly policy: string | undefined;
  /** instead of the cluster's ModelAttestation objects */
  readonly store: string | undefined;
  readonly trustedRoot: string | undefined;
  /** how to reach a registry when the store is `oci://…` */
  readonly registry?: Partial<RegistryArgs>;
}

const GROUP = '/apis/modelseal.dev/v1alpha1';

/**
 * What the reporter writes, read once from a live cluster: pods, policy objects and ModelAttestation
 * objects listed through the kubeconfig, each running pod evaluated as the webhook's reporter does.
 * Only pods that mount a model under some policy are returned, as only they get a report.
 */
export async function clusterInventory(
  o: ClusterInventoryOptions,
): Promise<{ pods: number; workloads: WorkloadEntry[] }> {
  const admission = await import('@modelseal/admission');
  const { loadTrustedRoot } = await import('@modelseal/verify/load');
  const { listAll, loadConnection } = await import('@modelseal/kube');
  const conn = await loadConnection(o.kubeconfig, {
    ...(o.context ? { context: o.context } : {}),
    env: process.env,
  });
  const engine = admission.createEngine({
    defaultTrustedRoot: loadTrustedRoot(o.trustedRoot, '--trusted-root'),
  });

  let policies: AdmissionPolicy[];
  if (o.policy !== undefined) {
    const { loadPolicyFiles } = await import('@modelseal/admission/load');
    policies = loadPolicyFiles(o.policy, engine);
  } else {
    const objects = [
      ...(await listAll(conn, `${GROUP}/clustermodelpolicies`)),
      ...(await listAll(conn, `${GROUP}/modelpolicies`)),
    ];
    policies = objects.map((obj) => {
      const { policy, error } = admission.policyOrBroken(obj, engine);
      if (error) err(`warning: ${error.message} (it denies until fixed)`);
      return policy;
    });
  }
  let store: Store;
  if (o.store !== undefined) store = await cliStore(o.store, await registryFrom(o.registry ?? {}));
  else {
    const { kubernetesStore } = await import('@modelseal/store');
    const index = kubernetesStore();
    for (const a of await listAll(conn, `${GROUP}/modelattestations`)) index.upsert(a);
    for (const [name, why] of index.rejected) err(`warning: ModelAttestation ${name} ignored: ${why}`);
    store = index;
  }
  const checker: Checker = admission.createChecker({
    store,
    verify: admission.realVerify,
    engine,
    now: Date.now,
  });

  const path = o.namespace ? `/api/v1/namespaces/${encodeURIComponent(o.namespace)}/pods` : '/api/v1/pods';
  const pods = (await listAll(conn, path)).filter(running);
  const workloads: WorkloadEntry[] = [];
  for (const pod of pods) {
    const meta = (pod.metadata ?? {}) as { name?: string; namespace?: string; uid?: string };
    const entry = await admission.inventoryOf(
      pod,
      {
        kind: 'Pod',
        namespace: meta.namespace ?? '',
        name: meta.name ?? '',
        ...(meta.uid ? { uid: meta.uid } : {}),
        document: 0,
      },
      { policies, checker, deadlineMs: 60_000 },
    );
    if (entry.models.length > 0) workloads.push(entry);
  }
  return { pods: pods.length, workloads };
}

/** as the reporter counts them: not finished, not being deleted */
function running(pod: Record<string, unknown>): boolean {
  const phase = (pod.status as { phase?: unknown } | undefined)?.phase;
  const deleting = (pod.metadata as { deletionTimestamp?: unknown } | undefined)?.deletionTimestamp;
  return phase !== 'Succeeded' && phase !== 'Failed' && deleting === undefined;
}
