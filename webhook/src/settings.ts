import { InputError, isRecord } from '@modelseal/core';
import type { ModelPolicy } from './contract.ts';
import { globMatch } from './glob.ts';

export type Mode = 'enforce' | 'warn' | 'audit';
export type Unpinned = 'deny' | 'warn';

/** The webhook-only part of a policy (spec.mode / spec.match / spec.unpinned), defaults resolved. */
export interface AdmissionSettings {
  readonly mode: Mode;
  /** when set, what an unpinned model gets whatever the mode; unset, it follows the mode */
  readonly unpinned?: Unpinned;
  readonly namespaces: readonly string[];
  /** cluster policies skip these namespaces (names or globs), even where `namespaces` matches */
  readonly excludeNamespaces: readonly string[];
  readonly volumes: {
    readonly images: boolean;
    readonly names: readonly string[];
    /** pod annotation listing (comma-separated) the volumes that hold models */
    readonly annotation: string;
  };
}

/** A policy as the webhook applies it: where it applies and how. */
export interface AdmissionPolicy {
  readonly policy: ModelPolicy;
  readonly settings: AdmissionSettings;
  /** set for a namespaced `ModelPolicy`: it applies in that namespace only */
  readonly namespace?: string;
  readonly source: string;
  /** set when the policy object could not be parsed: it then denies every covered model (fail closed) */
  readonly broken?: string;
}

export const DIGEST_ANNOTATION_PREFIX = 'modelseal.dev/model-digest.';
const DEFAULT_MODEL_ANNOTATION = 'modelseal.dev/model';

export function admissionSettings(policy: ModelPolicy, source: string): AdmissionSettings {
  const raw = policy.admission ?? {};
  const bad = (field: string, want: string): never => {
    throw new InputError({
      code: 'POLICY_ADMISSION_INVALID',
      message: `${source}: policy ${policy.name}: spec.${field} must be ${want}`,
      details: { policy: policy.name, field },
    });
  };
  if (!isRecord(raw)) return bad('mode/match/unpinned', 'fields of an object');
  const mode = raw.mode ?? 'enforce';
  if (mode !== 'enforce' && mode !== 'warn' && mode !== 'audit') bad('mode', 'one of enforce, warn, audit');
  const unpinned = raw.unpinned;
  if (unpinned !== undefined && unpinned !== 'deny' && unpinned !== 'warn')
    bad('unpinned', 'one of deny, warn');
  const match = raw.match ?? {};
  if (!isRecord(match)) bad('match', 'an object');
  const m = match as Record<string, unknown>;
  for (const k of Object.keys(m))
    if (k !== 'namespaces' && k !== 'excludeNamespaces' && k !== 'volumes')
      bad(`match.${k}`, 'absent (known: namespaces, excludeNamespaces, volumes)');
  const namespaces = m.namespaces ?? ['*'];
  if (!isStringList(namespaces)) bad('match.namespaces', 'a list of namespace names or globs');
  const excludeNamespaces = m.excludeNamespaces ?? [];
  if (!isStringList(excludeNamespaces)) bad('match.excludeNamespaces', 'a list of namespace names or globs');
  const volumes = m.volumes ?? {};
  if (!isRecord(volumes)) bad('match.volumes', 'an object');
  const v = volumes as Record<string, unknown>;
  for (const k of Object.keys(v)) {
    if (!['images', 'names', 'annotation'].includes(k))
      bad(`match.volumes.${k}`, 'absent (known: images, names, annotation)');
  }
  const images = v.images ?? true;
  if (typeof images !== 'boolean') bad('match.volumes.images', 'true or false');
  const names = v.names ?? [];
  if (!isStringList(names)) bad('match.volumes.names', 'a list of volume names or globs');
  const annotation = v.annotation ?? DEFAULT_MODEL_ANNOTATION;
  if (typeof annotation !== 'string' || annotation === '')
    bad('match.volumes.annotation', 'an annotation key');
  return Object.freeze({
    mode: mode as Mode,
    ...(unpinned !== undefined ? { unpinned: unpinned as Unpinned } : {}),
    namespaces: Object.freeze([...(namespaces as string[])]),
    excludeNamespaces: Object.freeze([...(excludeNamespaces as string[])]),
    volumes: Object.freeze({
      images: images as boolean,
      names: Object.freeze([...(names as string[])]),
      annotation: annotation as string,
    }),
  });
}

function isStringList(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((s) => typeof s === 'string' && s.length > 0 && s.length <= 253);
}

export function policyApplies(p: AdmissionPolicy, namespace: string): boolean {
  if (p.namespace !== undefined) return p.namespace === namespace;
  if (p.settings.excludeNamespaces.some((g) => globMatch(g, namespace))) return false;
  return p.settings.namespaces.some((g) => globMatch(g, namespace));
}
