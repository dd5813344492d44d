/**
 * Writes PolicyReports and remembers what it wrote, so an evaluation that changes nothing costs no
 * API call. Several webhook replicas may write: a write that meets another replica's (409) reads
 * the stored report and stops when it already says the same, so replicas converge instead of
 * rewriting each other's reports.
 */
import * as k8s from '@kubernetes/client-node';
import {
  type PolicyReport,
  REPORT_MANAGED_BY,
  REPORT_NAME_PREFIX,
  reportFingerprint,
} from '@modelseal/admission';
import { InternalError } from '@modelseal/core';

const GROUP = 'wgpolicyk8s.io';
const VERSION = 'v1alpha2';
const PLURAL = 'policyreports';
const SELECTOR = Object.entries(REPORT_MANAGED_BY)
  .map(([k, v]) => `${k}=${v}`)
  .join(',');

interface Known {
  readonly namespace: string;
  readonly name: string;
  readonly resourceVersion: string | undefined;
  readonly fingerprint: string;
}

export interface ReportWriter {
  /** pod uids that have a report of ours */
  known(): string[];
  put(report: PolicyReport, fingerprint: string): Promise<'written' | 'unchanged'>;
  /** deletes the pod's report if there is one; true when it did */
  remove(podUid: string): Promise<boolean>;
}

type Stored = {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
  scope?: { uid?: string };
};

/** Lists the reports already there (ours, by label) and fails with a coded error when it may not. */
export async function openReportWriter(
  kc: k8s.KubeConfig,
  limiter: { take(): Promise<void> },
): Promise<ReportWriter> {
  const api = kc.makeApiClient(k8s.CustomObjectsApi);
  const known = new Map<string, Known>();
  const remember = (o: Stored) => {
    const name = o.metadata?.name ?? '';
    const uid = o.scope?.uid ?? name.slice(REPORT_NAME_PREFIX.length);
    known.set(uid, {
      namespace: o.metadata?.namespace ?? '',
      name,
      resourceVersion: o.metadata?.resourceVersion,
      fingerprint: reportFingerprint(o as Parameters<typeof reportFingerprint>[0]),
    });
  };

  let cont: string | undefined;
  do {
    let page: { items?: Stored[]; metadata?: { continue?: string } };
    try {
      page = await api.listClusterCustomObject({
        group: GROUP,
        version: VERSION,
        plural: PLURAL,
        labelSelector: SELECTOR,
        limit: 500,
        ...(cont ? { _continue: cont } : {}),
      });
    } catch (e) {
      const code = statusOf(e);
      throw new InternalError({
        code: 'REPORTS_UNAVAILABLE',
        message:
          code === 404
            ? `the PolicyReport custom resource (${PLURAL}.${GROUP}/${VERSION}) is not installed; Kyverno or policy-reporter install it`
            : code === 403
              ? `the service account may not list ${PLURAL}.${GROUP}: the chart's reports RBAC is missing`
              : `cannot list ${PLURAL}.${GROUP}: ${String((e as Error)?.message ?? e).slice(0, 200)}`,
      });
    }
    for (const o of page.items ?? []) remember(o);
    cont = page.metadata?.continue || undefined;
  } while (cont);

  const target = (r: PolicyReport) => ({
    group: GROUP,
    version: VERSION,
    plural: PLURAL,
    namespace: r.metadata.namespace,
  });
  const read = (r: PolicyReport): Promise<Stored & Parameters<typeof reportFingerprint>[0]> =>
    api.getNamespacedCustomObject({ ...target(r), name: r.metadata.name });
  const replace = async (r: PolicyReport, resourceVersion: string | undefined) =>
    remember(
      await api.replaceNamespacedCustomObject({
        ...target(r),
        name: r.metadata.name,
        body: { ...r, metadata: { ...r.metadata, ...(resourceVersion ? { resourceVersion } : {}) } },
      }),
    );
  /** someone else wrote it meanwhile: done if it says the same, else overwrite that version */
  const reconcile = async (r: PolicyReport, fingerprint: string): Promise<'written' | 'unchanged'> => {
    const current = await read(r);
    remember(current);
    if (reportFingerprint(current) === fingerprint) return 'unchanged';
    await replace(r, current.metadata?.resourceVersion);
    return 'written';
  };

  return {
    known: () => [...known.keys()],
    async put(report, fingerprint) {
      const uid = report.scope.uid;
      const k = known.get(uid);
      if (k?.fingerprint === fingerprint) return 'unchanged';
      await limiter.take();
      try {
        if (k) await replace(report, k.resourceVersion);
        else remember(await api.createNamespacedCustomObject({ ...target(report), body: report }));
        return 'written';
      } catch (e) {
        const code = statusOf(e);
        if (code === 409) return reconcile(report, fingerprint);
        if (code === 404 && k) {
          // deleted behind our back (by hand, or the pod's garbage collection): write it again
          known.delete(uid);
          remember(await api.createNamespacedCustomObject({ ...target(report), body: report }));
          return 'written';
        }
        throw e;
      }
    },
    async remove(podUid) {
      const k = known.get(podUid);
      if (!k) return false;
      await limiter.take();
      try {
        await api.deleteNamespacedCustomObject({
          group: GROUP,
          version: VERSION,
          plural: PLURAL,
          namespace: k.namespace,
          name: k.name,
        });
      } catch (e) {
        if (statusOf(e) !== 404) throw e;
      }
      known.delete(podUid);
      return true;
    },
  };
}

function statusOf(e: unknown): number | undefined {
  return e instanceof k8s.ApiException ? e.code : undefined;
}
