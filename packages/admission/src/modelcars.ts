/**
 * Modelcars: containers whose image is the model. Which ones count is the policy's
 * `match.containers`; a plain pod update counts the ones whose image it changes. Pure.
 */
import { isRecord } from '@modelseal/core';
import type { AdmissionSettings } from './contract.ts';
import type { ModelRef } from './extractor.ts';
import { globMatch } from './glob.ts';
import { canonicalRepository, PINNED_IMAGE_RE, pointerOf, stripTag } from './image-ref.ts';

const CONTAINER_FIELDS = ['initContainers', 'containers', 'ephemeralContainers'] as const;

/**
 * Modelcars: containers whose image is the model (KServe runs one beside the server and shares
 * its files through the process namespace). Selected by container name or by image repository,
 * compared in canonical form (`docker.io/library/x`, lower-case host) so that spelling the same
 * image differently does not escape a glob.
 */
export function modelContainers(
  spec: Record<string, unknown>,
  specPath: readonly string[],
  settings: AdmissionSettings,
): ModelRef[] {
  const { names, images } = settings.containers;
  if (names.length === 0 && images.length === 0) return [];
  const out: ModelRef[] = [];
  for (const field of CONTAINER_FIELDS) {
    const list = spec[field];
    if (!Array.isArray(list)) continue;
    list.forEach((c: unknown, i) => {
      if (!isRecord(c) || typeof c.name !== 'string') return;
      const reference = typeof c.image === 'string' ? c.image : '';
      const repository = canonicalRepository(reference);
      const covered =
        names.some((g) => globMatch(g, c.name as string)) ||
        (repository !== undefined && images.some((g) => globMatch(g, repository)));
      if (!covered) return;
      const path = `${specPath.join('.')}.${field}[${i}]`;
      const base = { path, volume: c.name, container: true } as const;
      if (repository === undefined) {
        out.push({
          ...base,
          kind: 'invalid',
          reference: reference || '(empty image)',
          code: 'INVALID_MODEL_REFERENCE',
          problem: `image ${JSON.stringify(reference.slice(0, 120))} is not an OCI image reference`,
        });
        return;
      }
      const pinned = PINNED_IMAGE_RE.exec(reference);
      if (pinned) {
        out.push({ ...base, kind: 'pinned', reference, digest: pinned[1]! });
        return;
      }
      out.push({
        ...base,
        kind: 'unpinned',
        reference,
        what: 'not pinned by digest',
        hint: `pin it: image: ${stripTag(reference)}@sha256:<digest>`,
        pointer: `${pointerOf(path)}/image`,
      });
    });
  }
  return out;
}

/**
 * On a plain pod update only modelcar containers whose image changed count: containers cannot be
 * added or removed, so the one at the same field path is the same container. Without the old
 * object every modelcar counts.
 */
export function changedImage(old: unknown): (m: ModelRef) => boolean {
  return (m) => {
    if (m.container !== true) return false;
    let cur: unknown = old;
    for (const k of m.path.replace(/\[(\d+)\]/g, '.$1').split('.'))
      cur = isRecord(cur) || Array.isArray(cur) ? (cur as Record<string, unknown>)[k] : undefined;
    return !isRecord(cur) || cur.image !== m.reference;
  };
}
