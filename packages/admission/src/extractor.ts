import { isRecord } from '@modelseal/core';
import { globMatch } from './glob.ts';
import { PINNED_IMAGE_RE, pointerOf, stripTag } from './image-ref.ts';
import { modelContainers } from './modelcars.ts';
import { type AdmissionSettings, DIGEST_ANNOTATION_PREFIX } from './settings.ts';

/**
 * A model a pod would see, with where it was found. `volume` names the pod volume, or for a
 * modelcar (`container: true`) the container whose image is the model.
 */
export type ModelRef = ModelRefKind & {
  readonly container?: boolean;
};

type ModelRefKind =
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
      /** "not pinned by digest" (image) or "no digest declared" (PVC and other volumes) */
      readonly what: string;
      readonly hint: string;
      /** an image reference (volume or container) that a digest could pin: its JSON pointer */
      readonly pointer?: string;
    }
  | {
      readonly kind: 'invalid';
      readonly path: string;
      readonly volume: string;
      readonly reference: string;
      /** INVALID_MODEL_DIGEST or MODEL_ANNOTATION_INVALID */
      readonly code: string;
      readonly problem: string;
    };

export interface Extractor {
  models(object: unknown): readonly ModelRef[];
}

const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;

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
      const selector = ann[settings.volumes.annotation];
      if (selector !== undefined) {
        const at = `${metaPath.join('.')}.annotations["${settings.volumes.annotation}"]`;
        const bad = checkSelector(settings.volumes.annotation, selector, listed, volumes, at);
        if (bad) out.push(bad);
      }
      volumes.forEach((vol, i) => {
        if (!isRecord(vol) || typeof vol.name !== 'string') return;
        const path = `${specPath.join('.')}.volumes[${i}]`;
        const ref = classify(vol, path, vol.name, ann, settings, listed);
        if (ref) out.push(ref);
      });
      if (isRecord(spec)) out.push(...modelContainers(spec, specPath, settings));
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
      what: 'not pinned by digest',
      hint: `pin it: image: { reference: ${stripTag(reference)}@sha256:<digest> }`,
      ...(reference ? { pointer: `${pointerOf(path)}/image/reference` } : {}),
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
      what: 'no digest declared',
      hint: `declare its digest: annotation ${DIGEST_ANNOTATION_PREFIX}${name}: sha256:<hex>`,
    };
  }
  if (!DIGEST_RE.test(declared)) {
    return {
      kind: 'invalid',
      path,
      volume: name,
      reference,
      code: 'INVALID_MODEL_DIGEST',
      problem: `annotation ${DIGEST_ANNOTATION_PREFIX}${name} must be sha256:<64 lowercase hex>, got ${JSON.stringify(declared.slice(0, 80))}`,
    };
  }
  return { kind: 'pinned', path, volume: name, reference, digest: declared };
}

/**
 * The selector annotation must name volumes the pod has: a value such as "true" (or a typo) would
 * otherwise select nothing, and the model it meant would escape checking without a trace.
 */
function checkSelector(
  key: string,
  value: string,
  listed: ReadonlySet<string>,
  volumes: readonly unknown[],
  path: string,
): ModelRef | undefined {
  const names = volumes.flatMap((v) => (isRecord(v) && typeof v.name === 'string' ? [v.name] : []));
  const have = new Set(names);
  const unknown = [...listed].filter((n) => !have.has(n));
  if (listed.size > 0 && unknown.length === 0) return undefined;
  const shown = JSON.stringify(value.slice(0, 80));
  const existing =
    names.length === 0 ? 'the pod has no volumes' : `its volumes: ${names.slice(0, 10).join(', ')}`;
  const what =
    listed.size === 0
      ? 'names no volume'
      : `names ${unknown.map((n) => JSON.stringify(n.slice(0, 63))).join(', ')}, which the pod does not have`;
  return {
    kind: 'invalid',
    path,
    volume: unknown[0]?.slice(0, 63) ?? '-',
    reference: `annotation ${key}`,
    code: 'MODEL_ANNOTATION_INVALID',
    problem: `annotation ${key} is ${shown}: it ${what}; list the model volumes by name, comma-separated (${existing})`,
  };
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

/** Field path of the pod spec in `kind` (`['spec']` for a Pod), undefined for kinds not admitted. */
export function podSpecPath(kind: string): readonly string[] | undefined {
  return POD_SPEC_PATHS[kind];
}
