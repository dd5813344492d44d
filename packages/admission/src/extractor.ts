import { isRecord } from '@modelseal/core';
import { type AdmissionSettings, DIGEST_ANNOTATION_PREFIX, globMatch } from './settings.ts';

/** A model a pod would see, with where it was found. */
export type ModelRef =
  | {
      readonly kind: 'pinned';
      readonly path: string;
      readonly volume: string;
      readonly reference: string;
      readonly digest: string;
    }
  | {
      readonly kind: 'unpinned';
      readonly path: string;
      readonly volume: string;
      readonly reference: string;
      readonly hint: string;
    }
  | {
      readonly kind: 'invalid';
      readonly path: string;
      readonly volume: string;
      readonly reference: string;
      readonly problem: string;
    };

export interface Extractor {
  models(object: unknown): readonly ModelRef[];
}

const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;
const PINNED_IMAGE_RE = /@(sha256:[0-9a-f]{64})$/;

/** Where the pod spec sits in each kind we admit, as a field path prefix. */
const POD_SPEC_PATHS: Readonly<Record<string, readonly string[]>> = {
  Pod: ['spec'],
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

export const ADMITTED_KINDS: readonly string[] = Object.keys(POD_SPEC_PATHS);

/** Pure: the object's pod spec and annotations decide, `settings.volumes` picks which volumes count. */
export function createExtractor(settings: AdmissionSettings): Extractor {
  return {
    models(object) {
      if (!isRecord(object)) return [];
      const kind = typeof object.kind === 'string' ? object.kind : '';
      const specPath = POD_SPEC_PATHS[kind];
      if (specPath === undefined) return [];
      const spec = dig(object, specPath);
      // only the pod template's annotations count: they are what the pods it creates will carry,
      // so a workload passes exactly when its pods will
      const metaPath = [...specPath.slice(0, -1), 'metadata'];
      const ann = stringMap(dig(object, [...metaPath, 'annotations']));
      const volumes = isRecord(spec) && Array.isArray(spec.volumes) ? spec.volumes : [];
      const listed = new Set(
        (ann[settings.volumes.annotation] ?? '')
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      );
      const out: ModelRef[] = [];
      volumes.forEach((vol, i) => {
        if (!isRecord(vol) || typeof vol.name !== 'string') return;
        const path = `${specPath.join('.')}.volumes[${i}]`;
        const ref = classify(vol, path, vol.name, ann, settings, listed);
        if (ref) out.push(ref);
      });
      return out;
    },
  };
}

function classify(
  vol: Record<string, unknown>,
  path: string,
  name: string,
  ann: Record<string, string>,
  settings: AdmissionSettings,
  listed: ReadonlySet<string>,
): ModelRef | undefined {
  const declared = ann[DIGEST_ANNOTATION_PREFIX + name];
  if (isRecord(vol.image)) {
    const reference = typeof vol.image.reference === 'string' ? vol.image.reference : '';
    const covered =
      settings.volumes.images || listed.has(name) || settings.volumes.names.some((g) => globMatch(g, name));
    if (!covered) return undefined;
    const pinned = PINNED_IMAGE_RE.exec(reference);
    if (pinned) return { kind: 'pinned', path, volume: name, reference, digest: pinned[1]! };
    return {
      kind: 'unpinned',
      path,
      volume: name,
      reference: reference || '(empty image reference)',
      hint: `pin it: image: { reference: ${stripTag(reference)}@sha256:<digest> }`,
    };
  }
  const covered =
    declared !== undefined || listed.has(name) || settings.volumes.names.some((g) => globMatch(g, name));
  if (!covered) return undefined;
  const reference = describeSource(vol);
  if (declared === undefined) {
    return {
      kind: 'unpinned',
      path,
      volume: name,
      reference,
      hint: `declare its digest: annotation ${DIGEST_ANNOTATION_PREFIX}${name}: sha256:<hex>`,
    };
  }
  if (!DIGEST_RE.test(declared)) {
    return {
      kind: 'invalid',
      path,
      volume: name,
      reference,
      problem: `annotation ${DIGEST_ANNOTATION_PREFIX}${name} must be sha256:<64 lowercase hex>, got ${JSON.stringify(declared.slice(0, 80))}`,
    };
  }
  return { kind: 'pinned', path, volume: name, reference, digest: declared };
}

function describeSource(vol: Record<string, unknown>): string {
  const pvc = vol.persistentVolumeClaim;
  if (isRecord(pvc)) return `pvc:${String(pvc.claimName ?? '?')}`;
  if (isRecord(vol.hostPath)) return `hostPath:${String(vol.hostPath.path ?? '?')}`;
  if (isRecord(vol.csi)) return `csi:${String(vol.csi.driver ?? '?')}`;
  if (isRecord(vol.emptyDir)) return 'emptyDir';
  const other = Object.keys(vol).find((k) => k !== 'name');
  return other ?? 'volume';
}

function stripTag(reference: string): string {
  if (reference === '') return '<repository>';
  const at = reference.indexOf('@');
  const base = at >= 0 ? reference.slice(0, at) : reference;
  const slash = base.lastIndexOf('/');
  const colon = base.lastIndexOf(':');
  return colon > slash ? base.slice(0, colon) : base;
}

function dig(v: unknown, path: readonly string[]): unknown {
  let cur = v;
  for (const k of path) {
    if (!isRecord(cur)) return undefined;
    cur = cur[k];
  }
  return cur;
}

function stringMap(v: unknown): Record<string, string> {
  if (!isRecord(v)) return {};
  const out: Record<string, string> = {};
  for (const [k, s] of Object.entries(v)) if (typeof s === 'string') out[k] = s;
  return out;
}
