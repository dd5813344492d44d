/**
 * The verifier init container for one admitted volume, built from the admission decision alone.
 * /mutate injects exactly this; /validate rebuilds it and compares, so what runs at start-up is
 * what the engine derived, never what the pod spec says.
 */
import { sha256Hex } from '@modelseal/core';
import type { AdmittedContent } from './admitted.ts';

export interface VerifierConfig {
  /** the modelseal image; pin it by digest so the check itself cannot be swapped */
  readonly image: string;
  /** how the image runs the CLI (default: the Node and CLI paths of deploy/Dockerfile) */
  readonly command?: readonly string[];
}

export const VERIFIER_COMMAND: readonly string[] = Object.freeze(['/nodejs/bin/node', '/app/cli/src/bin.ts']);
export const VERIFIER_NAME_PREFIX = 'modelseal-verify';
export const VERIFIER_MOUNT_ROOT = '/modelseal/volumes';
export const MANIFEST_ENV = 'MODELSEAL_ADMITTED_MANIFEST';
export const TERMINATION_LOG = '/dev/termination-log';
/** uid/gid of distroless "nonroot", as the webhook itself runs */
export const VERIFIER_UID = 65532;

/** One start-up check: a volume, the content it was admitted with, and which policy admitted it. */
export interface VerifierCheck {
  readonly volume: string;
  readonly content: AdmittedContent;
  readonly policy: string;
}

export type Container = Record<string, unknown>;

/** DNS label: <= 63 characters; long volume names keep a hash so two never collide. */
export function verifierName(volume: string, n: number): string {
  const base = `${VERIFIER_NAME_PREFIX}-${volume}${n > 0 ? `-${n + 1}` : ''}`;
  if (base.length <= 63) return base;
  const tag = sha256Hex(new TextEncoder().encode(`${volume}#${n}`)).slice(0, 8);
  return `${base.slice(0, 63 - 9).replace(/-+$/, '')}-${tag}`;
}

/** The CLI arguments: positional path first, every option as `--flag=value` so no value reads as a flag. */
export function verifierArgs(check: VerifierCheck, mountPath: string): string[] {
  const s = check.content.serialization;
  return [
    'verify-digest',
    mountPath,
    `--digest=${check.content.digest}`,
    `--serialization=${s.method}`,
    `--hash=${s.hashType}`,
    ...(s.method === 'shards' ? [`--shard-size=${s.shardSize}`] : []),
    s.allowSymlinks ? '--allow-symlinks' : '--no-allow-symlinks',
    // the signed list is complete: nothing is left out by default
    '--no-ignore-git-paths',
    ...s.ignorePaths.map((p) => `--ignore-paths=${p}`),
    ...(check.content.predicate !== undefined ? [`--manifest-env=${MANIFEST_ENV}`] : []),
    `--termination-log=${TERMINATION_LOG}`,
    `--label=${check.volume}`,
  ];
}

export function verifierContainer(check: VerifierCheck, n: number, config: VerifierConfig): Container {
  const mountPath = `${VERIFIER_MOUNT_ROOT}/${check.volume}`;
  return {
    name: verifierName(check.volume, n),
    image: config.image,
    imagePullPolicy: 'IfNotPresent',
    command: [...(config.command ?? VERIFIER_COMMAND)],
    args: verifierArgs(check, mountPath),
    ...(check.content.predicate !== undefined
      ? { env: [{ name: MANIFEST_ENV, value: check.content.predicate }] }
      : {}),
    volumeMounts: [{ name: check.volume, mountPath, readOnly: true }],
    // hashing wants both cores and little memory; no CPU limit, so it is never throttled
    resources: { requests: { cpu: '250m', memory: '128Mi' }, limits: { memory: '512Mi' } },
    terminationMessagePath: TERMINATION_LOG,
    terminationMessagePolicy: 'FallbackToLogsOnError',
    securityContext: {
      runAsNonRoot: true,
      runAsUser: VERIFIER_UID,
      runAsGroup: VERIFIER_UID,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      privileged: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
  };
}

export interface VerifierEntry {
  readonly check: VerifierCheck;
  readonly container: Container;
}

/** Every expected container, one per (volume, distinct admitted content), in a stable order. */
export function verifierContainers(
  checks: readonly VerifierCheck[],
  config: VerifierConfig,
): VerifierEntry[] {
  const seen = new Map<string, number>();
  const out: VerifierEntry[] = [];
  const keys = new Set<string>();
  for (const c of checks) {
    const key = `${c.volume}\n${JSON.stringify(verifierArgs(c, ''))}`;
    if (keys.has(key)) continue;
    keys.add(key);
    const n = seen.get(c.volume) ?? 0;
    seen.set(c.volume, n + 1);
    out.push({ check: c, container: verifierContainer(c, n, config) });
  }
  return out;
}
