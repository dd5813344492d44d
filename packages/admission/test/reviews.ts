/** AdmissionReview builders for every workload kind the webhook admits. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** copy of ../shared/vectors/admission/pod-create-three-model-sources.json */
export const VECTOR = fileURLToPath(
  new URL('./fixtures/pod-create-three-model-sources.json', import.meta.url),
);
export const vectorReview = (): Record<string, unknown> => JSON.parse(readFileSync(VECTOR, 'utf8'));

export const D1 = `sha256:${'a1'.repeat(32)}`;
export const D2 = `sha256:${'b2'.repeat(32)}`;
export const D3 = `sha256:${'c3'.repeat(32)}`;

export function podSpec(volumes: unknown[]): Record<string, unknown> {
  return {
    containers: [
      {
        name: 'srv',
        image: 'busybox',
        volumeMounts: volumes.map((v) => ({
          name: (v as { name: string }).name,
          mountPath: `/m/${(v as { name: string }).name}`,
        })),
      },
    ],
    volumes,
  };
}

export const imageVolume = (name: string, reference: string) => ({ name, image: { reference } });

const GROUPS: Record<string, [string, string]> = {
  Pod: ['', 'pods'],
  Deployment: ['apps', 'deployments'],
  StatefulSet: ['apps', 'statefulsets'],
  DaemonSet: ['apps', 'daemonsets'],
  ReplicaSet: ['apps', 'replicasets'],
  Job: ['batch', 'jobs'],
  CronJob: ['batch', 'cronjobs'],
};

/** Wraps a pod spec into `kind`, with annotations on the pod (template) metadata. */
export function workload(
  kind: string,
  spec: Record<string, unknown>,
  annotations: Record<string, string> = {},
) {
  const podMeta = { annotations };
  const template = { metadata: podMeta, spec };
  switch (kind) {
    case 'Pod':
      return { apiVersion: 'v1', kind, metadata: { name: 'p', namespace: 'ml-serving', annotations }, spec };
    case 'CronJob':
      return {
        apiVersion: 'batch/v1',
        kind,
        metadata: { name: 'c' },
        spec: { schedule: '@daily', jobTemplate: { spec: { template } } },
      };
    default:
      return { apiVersion: 'apps/v1', kind, metadata: { name: 'w' }, spec: { selector: {}, template } };
  }
}

export function review(
  object: { kind: string },
  opts: { uid?: string; namespace?: string; operation?: string; subResource?: string } = {},
) {
  const [group, resource] = GROUPS[object.kind] ?? ['', 'unknown'];
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: opts.uid ?? `uid-${object.kind.toLowerCase()}-1`,
      kind: { group, version: 'v1', kind: object.kind },
      resource: { group, version: 'v1', resource },
      namespace: opts.namespace ?? 'ml-serving',
      operation: opts.operation ?? 'CREATE',
      ...(opts.subResource ? { subResource: opts.subResource } : {}),
      object,
    },
  };
}

export const WORKLOAD_KINDS = [
  'Pod',
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'Job',
  'CronJob',
] as const;
