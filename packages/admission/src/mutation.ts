/**
 * /mutate's patch: the verifier containers appended as the last init containers (RFC 6902 JSON
 * patch). Idempotent, so a reinvocation (reinvocationPolicy: IfNeeded) changes nothing that is
 * already right, and moves the checks back to the end when another webhook appended after them.
 */
import { isRecord } from '@modelseal/core';
import type { Container } from './verifier.ts';
import { SA_TOKEN_PATH, verifierDifferences } from './verifier-inspect.ts';

export type PatchOp =
  | { readonly op: 'add'; readonly path: string; readonly value: unknown }
  | { readonly op: 'replace'; readonly path: string; readonly value: unknown };

export interface MutationPlan {
  readonly patch: readonly PatchOp[];
  /** names of the containers the patch adds (not those already in place) */
  readonly injected: readonly string[];
}

/**
 * `specPointer` is the JSON pointer of the pod spec (`/spec` for a Pod). A container with a
 * verifier's name that differs from it is left alone: /validate denies that pod.
 */
export function planMutation(
  spec: Record<string, unknown>,
  expected: readonly Container[],
  specPointer = '/spec',
): MutationPlan {
  if (expected.length === 0) return { patch: [], injected: [] };
  const current: unknown[] = Array.isArray(spec.initContainers) ? spec.initContainers : [];
  const names = new Set(expected.map((c) => String(c.name)));
  const present = new Map<string, unknown>();
  for (const c of current) if (isRecord(c) && names.has(String(c.name))) present.set(String(c.name), c);
  const byName = new Map(expected.map((c) => [String(c.name), c]));
  const tampered = (name: string) => {
    const got = present.get(name);
    const want = byName.get(name);
    return (
      got !== undefined && want !== undefined && verifierDifferences(want, withoutTokenMount(got)).length > 0
    );
  };
  const keep = expected.filter((c) => !tampered(String(c.name)));
  const injected = keep.filter((c) => !present.has(String(c.name))).map((c) => String(c.name));
  // the pod's own init containers stay in place, tampered look-alikes too (/validate denies those)
  const others = current.filter(
    (c) => !(isRecord(c) && names.has(String(c.name)) && !tampered(String(c.name))),
  );
  const desired = [...others, ...keep];
  const path = `${specPointer}/initContainers`;
  if (!Array.isArray(spec.initContainers)) return { patch: [{ op: 'add', path, value: desired }], injected };
  // the common case: nothing of ours yet, so append and leave the pod's own entries untouched
  if (injected.length === keep.length && desired.length === current.length + keep.length) {
    return { patch: keep.map((value) => ({ op: 'add', path: `${path}/-`, value })), injected };
  }
  const tail = current.slice(current.length - keep.length).map((c) => (isRecord(c) ? c.name : undefined));
  const inPlace = injected.length === 0 && keep.every((c, i) => tail[i] === c.name);
  const tokens = keep.some((c) => hasTokenMount(present.get(String(c.name))));
  if (inPlace && !tokens) return { patch: [], injected: [] };
  return { patch: [{ op: 'replace', path, value: desired }], injected };
}

function hasTokenMount(c: unknown): boolean {
  return (
    isRecord(c) &&
    Array.isArray(c.volumeMounts) &&
    c.volumeMounts.some((m: unknown) => isRecord(m) && m.mountPath === SA_TOKEN_PATH)
  );
}

/**
 * The ServiceAccount admission plugin may run again on reinvocation and mount the token into
 * every container, ours included; the check needs no token, so it is taken out again.
 */
function withoutTokenMount(c: unknown): unknown {
  if (!isRecord(c) || !Array.isArray(c.volumeMounts)) return c;
  return {
    ...c,
    volumeMounts: c.volumeMounts.filter((m: unknown) => !(isRecord(m) && m.mountPath === SA_TOKEN_PATH)),
  };
}
