/**
 * A Pod's inventory entry as a `wgpolicyk8s.io/v1alpha2` PolicyReport, the object Kyverno and
 * policy-reporter users read. Kyverno's current convention (1.10+): one report per resource, in
 * its namespace, `scope` naming it, owned by it (so the garbage collector removes the report with
 * the pod). Ours is named `modelseal-<pod uid>` so it never collides with Kyverno's own report for
 * the same pod, which is named by the bare uid.
 */
import type { ModelEntry, ModelResult, WorkloadEntry } from './inventory.ts';

export const POLICY_REPORT_API_VERSION = 'wgpolicyk8s.io/v1alpha2';
export const REPORT_SOURCE = 'modelseal';
export const REPORT_MANAGED_BY = { 'app.kubernetes.io/managed-by': 'modelseal' } as const;
export const REPORT_NAME_PREFIX = 'modelseal-';
/** long enough for every reason code and a digest; a report is not a log */
const MESSAGE_MAX = 1024;

export type ReportResult = ModelResult | 'skip';

export interface ObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  readonly uid: string;
}

export interface PolicyReportResult {
  readonly source: string;
  readonly policy: string;
  readonly rule: string;
  readonly category: string;
  readonly result: ReportResult;
  readonly scored: boolean;
  readonly message: string;
  readonly timestamp: { readonly seconds: number; readonly nanos: number };
  readonly resources: readonly ObjectRef[];
  readonly properties: Readonly<Record<string, string>>;
}

export interface PolicyReport {
  readonly apiVersion: typeof POLICY_REPORT_API_VERSION;
  readonly kind: 'PolicyReport';
  readonly metadata: {
    readonly name: string;
    readonly namespace: string;
    readonly labels: Readonly<Record<string, string>>;
    readonly ownerReferences: readonly {
      readonly apiVersion: string;
      readonly kind: string;
      readonly name: string;
      readonly uid: string;
    }[];
    readonly resourceVersion?: string;
  };
  readonly scope: ObjectRef;
  readonly summary: Readonly<Record<ReportResult, number>>;
  readonly results: readonly PolicyReportResult[];
}

export function reportName(podUid: string): string {
  return `${REPORT_NAME_PREFIX}${podUid}`;
}

/**
 * The report for one live Pod (its entry must carry the uid), or undefined when no policy picks any
 * of its volumes: like Kyverno, a resource no policy matches gets no report.
 */
export function policyReportOf(entry: WorkloadEntry, now: Date): PolicyReport | undefined {
  if (entry.uid === undefined || entry.models.length === 0) return undefined;
  const pod: ObjectRef = {
    apiVersion: 'v1',
    kind: entry.kind,
    name: entry.name,
    namespace: entry.namespace,
    uid: entry.uid,
  };
  const timestamp = { seconds: Math.floor(now.getTime() / 1000), nanos: 0 };
  const results = entry.models.map((m) => resultOf(m, pod, timestamp, entry.verdict));
  const summary = { pass: 0, fail: 0, warn: 0, error: 0, skip: 0 };
  for (const r of results) summary[r.result]++;
  return {
    apiVersion: POLICY_REPORT_API_VERSION,
    kind: 'PolicyReport',
    metadata: {
      name: reportName(entry.uid),
      namespace: entry.namespace,
      labels: { ...REPORT_MANAGED_BY },
      ownerReferences: [{ apiVersion: 'v1', kind: entry.kind, name: entry.name, uid: entry.uid }],
    },
    scope: pod,
    summary,
    results,
  };
}

/**
 * What decides whether a stored report must be rewritten: everything but the timestamps and the
 * server's metadata, so replicas evaluating the same state at different moments converge without
 * rewriting each other's reports.
 */
export function reportFingerprint(report: {
  readonly scope?: unknown;
  readonly summary?: unknown;
  readonly results?: readonly unknown[];
}): string {
  const results = (report.results ?? []).map((r) => {
    if (typeof r !== 'object' || r === null) return r;
    const { timestamp: _, ...rest } = r as Record<string, unknown>;
    return sortKeys(rest);
  });
  return JSON.stringify([sortKeys(report.scope), sortKeys(report.summary), results]);
}

function resultOf(
  m: ModelEntry,
  pod: ObjectRef,
  timestamp: PolicyReportResult['timestamp'],
  verdict: WorkloadEntry['verdict'],
): PolicyReportResult {
  const what = m.digest ?? m.reference;
  const message =
    m.reasons.length === 0
      ? `${what} is attested under the policy${m.signers.length ? ` (signed by ${m.signers.join(', ')})` : ''}`
      : m.reasons.map((r) => `${r.code}: ${r.message}`).join('; ');
  return {
    source: REPORT_SOURCE,
    policy: m.policy,
    // one result per mounted model: the volume is what a policy's check is about
    rule: m.volume,
    category: 'Model provenance',
    result: m.result,
    scored: true,
    message: message.length > MESSAGE_MAX ? `${message.slice(0, MESSAGE_MAX - 1)}…` : message,
    timestamp,
    resources: [pod],
    properties: {
      volume: m.volume,
      path: m.path,
      reference: m.reference,
      ...(m.digest ? { digest: m.digest } : {}),
      signers: m.signers.join(','),
      ...(m.reasons.length ? { codes: m.reasons.map((r) => r.code).join(',') } : {}),
      // decide()'s answer for the whole pod: what admission would say now
      admission: verdict,
    },
  };
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (typeof v !== 'object' || v === null) return v;
  return Object.fromEntries(
    Object.keys(v)
      .sort()
      .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
  );
}
