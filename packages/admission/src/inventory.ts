/**
 * What each workload runs: for every Pod or workload, the models it mounts under each policy that
 * applies, their digests, who signed them, and the result; and the admission verdict decide() gives
 * the whole object. `modelseal inventory` runs it on manifests, the webhook's reporter on live pods.
 */
import { isRecord } from '@modelseal/core';
import { describeSigner } from '@modelseal/verify';
import type { Checker } from './checker.ts';
import { decide, examine, type Finding } from './decide.ts';
import { createExtractor } from './extractor.ts';
import { publicText } from './messages.ts';
import { requestsFromManifests } from './offline.ts';
import { type AdmissionPolicy, policyApplies } from './settings.ts';

/** PolicyReport's result vocabulary (wgpolicyk8s.io): fail = enforce or audit, warn = warn mode. */
export type ModelResult = 'pass' | 'fail' | 'warn' | 'error';

export interface ModelEntry {
  readonly policy: string;
  readonly volume: string;
  /** field path in the object, e.g. `spec.volumes[0]` */
  readonly path: string;
  readonly reference: string;
  readonly digest?: string;
  readonly result: ModelResult;
  readonly signers: readonly string[];
  readonly reasons: readonly { readonly code: string; readonly message: string }[];
}

export interface WorkloadEntry {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  /** the object's uid when it has one (live pods) */
  readonly uid?: string;
  /** document number in a manifest file, from 1; 0 for live objects */
  readonly document: number;
  readonly verdict: 'allowed' | 'denied';
  readonly message?: string;
  readonly models: readonly ModelEntry[];
}

export interface InventoryDeps {
  readonly policies: readonly AdmissionPolicy[];
  readonly checker: Checker;
  readonly deadlineMs: number;
}

/** One object (a Pod as the API server returns it, or a workload from a manifest). */
export async function inventoryOf(
  object: Record<string, unknown>,
  where: { kind: string; namespace: string; name: string; uid?: string; document: number },
  deps: InventoryDeps,
): Promise<WorkloadEntry> {
  const target = { ...object, kind: where.kind };
  const applicable = deps.policies.filter((p) => policyApplies(p, where.namespace));
  // the same budget decide() gets, so one slow model cannot hold the whole inventory
  const clock = { now: Date.now, deadline: Date.now() + deps.deadlineMs };
  const findings = await Promise.all(
    applicable.flatMap((policy) =>
      createExtractor(policy.settings)
        .models(target)
        .map((model) => examine(policy, model, deps.checker, clock)),
    ),
  );
  const response = await decide(
    {
      uid: where.uid ?? `inventory-${where.document}`,
      kind: { kind: where.kind },
      namespace: where.namespace,
      name: where.name,
      operation: 'CREATE',
      object: target,
    },
    { policies: () => deps.policies, checker: deps.checker, deadlineMs: deps.deadlineMs },
  );
  return {
    ...where,
    verdict: response.allowed ? 'allowed' : 'denied',
    ...(response.status?.message ? { message: response.status.message } : {}),
    models: findings.map(entryOf),
  };
}

/** Every Pod / workload in manifest documents; objects of other kinds are left out. */
export async function inventoryOfManifests(input: {
  docs: readonly unknown[];
  namespace: string;
  deps: InventoryDeps;
}): Promise<WorkloadEntry[]> {
  const out: WorkloadEntry[] = [];
  for (const r of requestsFromManifests(input.docs, input.namespace)) {
    const req = r.request;
    if (!req || !isRecord(req.object)) continue;
    const where = {
      kind: req.kind?.kind ?? '',
      namespace: req.namespace ?? input.namespace,
      name: req.name ?? '',
      document: r.document,
    };
    out.push(await inventoryOf(req.object, where, input.deps));
  }
  return out;
}

function entryOf(f: Finding): ModelEntry {
  return {
    policy: f.policy.policy.name,
    volume: f.model.volume,
    path: f.model.path,
    reference: f.model.reference,
    ...(f.model.kind === 'pinned' ? { digest: f.model.digest } : {}),
    result: resultOf(f),
    signers: [...new Set(f.signers.map(describeSigner))],
    reasons: f.reasons.map((r) => ({ code: r.code, message: publicText(r) })),
  };
}

function resultOf(f: Finding): ModelResult {
  if (f.reasons.length === 0) return 'pass';
  if (f.policy.broken !== undefined) return 'error';
  const mode = f.forced ?? f.policy.settings.mode;
  switch (mode) {
    case 'enforce':
    case 'audit':
      return 'fail';
    case 'warn':
      return 'warn';
    default:
      return assertNever(mode);
  }
}

function assertNever(x: never): never {
  throw new Error(`unhandled mode ${JSON.stringify(x)}`);
}
