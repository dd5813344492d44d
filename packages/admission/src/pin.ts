/**
 * Pinning tags to digests at /mutate: every tag-only image reference a policy counts (image
 * volumes, modelcar containers) is resolved through the registry and either rewritten to
 * `repo:tag@sha256:<digest>` (`patch`) or, for GitOps setups that must not see the image change,
 * recorded in an annotation beside it (`annotate`). The resolver is the only I/O, and it is
 * handed what is left of the deadline; a reference it cannot resolve in time is left as it is, so
 * /validate then judges the tag (UNPINNED_MODEL, per the policy's `unpinned`).
 */
import { InternalError, isModelsealError, isRecord } from '@modelseal/core';
import type { EvaluationClock } from './contract.ts';
import type { Finding } from './decide.ts';
import type { ModelRef } from './extractor.ts';
import type { PatchOp } from './mutation.ts';

export type PinMode = 'patch' | 'annotate';

/** tag -> manifest digest (`sha256:<hex>`); throws a coded error when it cannot */
export interface TagResolver {
  resolve(reference: string, clock: EvaluationClock): Promise<string>;
}

export interface PinConfig {
  readonly mode: PinMode;
  readonly resolver: TagResolver;
}

/** `modelseal.dev/resolved-digest.<volume>` or `...resolved-digest.container.<name>` */
export const RESOLVED_ANNOTATION_PREFIX = 'modelseal.dev/resolved-digest.';

export interface PinResult {
  readonly reference: string;
  /** where the model is (volume or container), e.g. spec.volumes[0] */
  readonly path: string;
  readonly name: string;
  readonly container: boolean;
  readonly digest?: string;
  readonly failure?: { readonly code: string; readonly message: string };
}

export interface PinPlan {
  readonly patch: readonly PatchOp[];
  /** the object as the patch leaves it (patch mode: references pinned) */
  readonly object: Record<string, unknown>;
  readonly results: readonly PinResult[];
}

type Pinnable = Extract<ModelRef, { kind: 'unpinned' }> & { readonly pointer: string };

/** The tag-only image references the findings count, each once (several policies may count one). */
export function pinnable(findings: readonly Finding[]): Pinnable[] {
  const seen = new Map<string, Pinnable>();
  for (const f of findings) {
    const m = f.model;
    if (m.kind === 'unpinned' && m.pointer !== undefined && !seen.has(m.pointer))
      seen.set(m.pointer, { ...m, pointer: m.pointer });
  }
  return [...seen.values()];
}

export async function planPins(
  object: Record<string, unknown>,
  models: readonly Pinnable[],
  config: PinConfig,
  clock: EvaluationClock,
): Promise<PinPlan> {
  if (models.length === 0) return { patch: [], object, results: [] };
  // half of what is left: the rest of /mutate (and the answer) must still fit in the deadline
  const left = clock.deadline === undefined ? 10_000 : clock.deadline - clock.now();
  const budget = Math.max(0, Math.floor(left / 2));
  const byReference = new Map<string, Promise<string>>();
  const results = await Promise.all(
    models.map(async (m): Promise<PinResult> => {
      const base = { reference: m.reference, path: m.path, name: m.volume, container: m.container === true };
      let pending = byReference.get(m.reference);
      if (pending === undefined) {
        pending = within(config.resolver.resolve(m.reference, clock), budget);
        byReference.set(m.reference, pending);
      }
      try {
        return { ...base, digest: await pending };
      } catch (e) {
        const code = isModelsealError(e) ? e.code : 'PIN_FAILED';
        const message = (e instanceof Error ? e.message : String(e)).slice(0, 300);
        return { ...base, failure: { code, message } };
      }
    }),
  );
  const resolved = results.flatMap((r, i) => (r.digest ? [{ r, m: models[i]! }] : []));
  if (config.mode === 'patch') {
    const copy = structuredClone(object);
    const patch: PatchOp[] = [];
    for (const { r, m } of resolved) {
      const value = `${r.reference}@${r.digest}`;
      setAt(copy, m.pointer, value);
      patch.push({ op: 'replace', path: m.pointer, value });
    }
    return { patch, object: copy, results };
  }
  const wanted: [string, string][] = [];
  const problems: PinResult[] = [];
  for (const { r } of resolved) {
    const key = resolvedAnnotation(r.name, r.container);
    // the API server refuses a key whose name part is over 63 characters: the pod would fail
    if (key.length - 'modelseal.dev/'.length > 63) {
      problems.push({ ...r, failure: { code: 'PIN_ANNOTATION_TOO_LONG', message: `${key} is too long` } });
      continue;
    }
    wanted.push([key, `${r.reference}@${r.digest}`]);
  }
  const patch = annotationPatch(object, wanted);
  const merged = results.map((r) => problems.find((p) => p.path === r.path) ?? r);
  return { patch, object, results: merged };
}

export function resolvedAnnotation(name: string, container: boolean): string {
  return `${RESOLVED_ANNOTATION_PREFIX}${container ? 'container.' : ''}${name}`;
}

function annotationPatch(object: Record<string, unknown>, wanted: readonly [string, string][]): PatchOp[] {
  const meta = isRecord(object.metadata) ? object.metadata : undefined;
  const current = meta && isRecord(meta.annotations) ? meta.annotations : undefined;
  const missing = wanted.filter(([k, v]) => current?.[k] !== v);
  if (missing.length === 0) return [];
  if (meta === undefined)
    return [{ op: 'add', path: '/metadata', value: { annotations: Object.fromEntries(missing) } }];
  if (current === undefined)
    return [{ op: 'add', path: '/metadata/annotations', value: Object.fromEntries(missing) }];
  // `add` on an existing member replaces it (RFC 6902 4.1)
  return missing.map(([k, value]) => ({
    op: 'add',
    path: `/metadata/annotations/${escapePointer(k)}`,
    value,
  }));
}

function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

function setAt(object: Record<string, unknown>, pointer: string, value: string): void {
  const keys = pointer.split('/').slice(1);
  let cur: unknown = object;
  for (const k of keys.slice(0, -1))
    cur = Array.isArray(cur) ? cur[Number(k)] : isRecord(cur) ? cur[k] : undefined;
  const last = keys[keys.length - 1]!;
  if (Array.isArray(cur)) cur[Number(last)] = value;
  else if (isRecord(cur)) cur[last] = value;
}

function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new InternalError({ code: 'PIN_TIMEOUT', message: `the registry gave no digest within ${ms} ms` }),
        ),
      ms,
    );
  });
  // a late answer still lands in the resolver's cache; here it is only no longer waited for
  p.catch(() => undefined);
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}
