import { InputError, isRecord } from '@modelseal/core';
import type { AdmissionSettings, Mode, Unpinned } from './types.ts';

const DEFAULT_MODEL_ANNOTATION = 'modelseal.dev/model';

/** What a policy that says nothing about admission gets. */
export const DEFAULT_ADMISSION_SETTINGS: AdmissionSettings = Object.freeze({
  mode: 'enforce',
  namespaces: Object.freeze(['*']),
  excludeNamespaces: Object.freeze([]),
  volumes: Object.freeze({ images: true, names: Object.freeze([]), annotation: DEFAULT_MODEL_ANNOTATION }),
  containers: Object.freeze({ names: Object.freeze([]), images: Object.freeze([]) }),
});

/**
 * spec.mode / spec.match / spec.unpinned, checked with the rest of the policy, so every command
 * (webhook, `policy test`, `verify-attestation`) agrees on what a valid policy is.
 */
export function parseAdmission(
  spec: Record<string, unknown>,
  name: string,
  source: string,
): AdmissionSettings {
  const bad = (field: string, want: string): never => {
    throw new InputError({
      code: 'POLICY_ADMISSION_INVALID',
      message: `${source}: policy ${name}: spec.${field} must be ${want}`,
      details: { source, policy: name, field },
    });
  };
  const mode = spec['mode'] ?? DEFAULT_ADMISSION_SETTINGS.mode;
  if (mode !== 'enforce' && mode !== 'warn' && mode !== 'audit') bad('mode', 'one of enforce, warn, audit');
  // unset stays unset: an unpinned model then gets what the mode gives any failed check
  const unpinned = spec['unpinned'];
  if (unpinned !== undefined && unpinned !== 'deny' && unpinned !== 'warn')
    bad('unpinned', 'one of deny, warn');
  const match = spec['match'] ?? {};
  if (!isRecord(match)) return bad('match', 'an object');
  for (const k of Object.keys(match))
    if (!['namespaces', 'excludeNamespaces', 'volumes', 'containers'].includes(k))
      bad(`match.${k}`, 'absent (known: namespaces, excludeNamespaces, volumes, containers)');
  const namespaces = match['namespaces'] ?? DEFAULT_ADMISSION_SETTINGS.namespaces;
  if (!isStringList(namespaces)) return bad('match.namespaces', 'a list of namespace names or globs');
  const excludeNamespaces = match['excludeNamespaces'] ?? DEFAULT_ADMISSION_SETTINGS.excludeNamespaces;
  if (!isStringList(excludeNamespaces))
    return bad('match.excludeNamespaces', 'a list of namespace names or globs');
  const volumes = match['volumes'] ?? {};
  if (!isRecord(volumes)) return bad('match.volumes', 'an object');
  for (const k of Object.keys(volumes)) {
    if (!['images', 'names', 'annotation'].includes(k))
      bad(`match.volumes.${k}`, 'absent (known: images, names, annotation)');
  }
  const images = volumes['images'] ?? true;
  if (typeof images !== 'boolean') return bad('match.volumes.images', 'true or false');
  const names = volumes['names'] ?? [];
  if (!isStringList(names)) return bad('match.volumes.names', 'a list of volume names or globs');
  const annotation = volumes['annotation'] ?? DEFAULT_MODEL_ANNOTATION;
  if (typeof annotation !== 'string' || annotation === '')
    return bad('match.volumes.annotation', 'an annotation key');
  const containers = match['containers'] ?? {};
  if (!isRecord(containers)) return bad('match.containers', 'an object');
  for (const k of Object.keys(containers)) {
    if (k !== 'names' && k !== 'images') bad(`match.containers.${k}`, 'absent (known: names, images)');
  }
  const containerNames = containers['names'] ?? [];
  if (!isStringList(containerNames))
    return bad('match.containers.names', 'a list of container names or globs');
  const containerImages = containers['images'] ?? [];
  if (!isStringList(containerImages) || containerImages.some((g) => /[\s@]/.test(g) || /:[^/]*$/.test(g)))
    return bad('match.containers.images', 'a list of image repositories or globs, without tag or digest');
  return Object.freeze({
    mode: mode as Mode,
    ...(unpinned !== undefined ? { unpinned: unpinned as Unpinned } : {}),
    namespaces: Object.freeze([...namespaces]),
    excludeNamespaces: Object.freeze([...excludeNamespaces]),
    volumes: Object.freeze({ images, names: Object.freeze([...names]), annotation }),
    containers: Object.freeze({
      names: Object.freeze([...containerNames]),
      images: Object.freeze([...containerImages]),
    }),
  });
}

function isStringList(v: unknown): v is readonly string[] {
  return Array.isArray(v) && v.every((s) => typeof s === 'string' && s.length > 0 && s.length <= 253);
}
