/**
 * Which admitted models get a start-up check. A volume whose digest is only declared (PVC,
 * hostPath, CSI, emptyDir, ...) does: nothing else ties its bytes to the digest. An OCI image
 * volume (or a modelcar image) does not: the kubelet pulls it by digest and the runtime checks
 * every layer, so the bytes are content-addressed already.
 */
import { isRecord } from '@modelseal/core';
import type { AdmittedContent } from './admitted.ts';
import { podSpecPath } from './extractor.ts';
import type { VerifierCheck } from './verifier.ts';

/** One model's result under one policy, as far as start-up checks care. */
export interface RuntimeFinding {
  readonly policy: string;
  readonly volume: string;
  /** field path, e.g. spec.volumes[2] */
  readonly path: string;
  readonly admitted: boolean;
  readonly content?: AdmittedContent;
  /** the policy's mode: what a model that cannot be checked at start-up gets */
  readonly mode: 'enforce' | 'warn' | 'audit';
}

export interface RuntimeProblem {
  readonly code: string;
  readonly message: string;
  /** default enforce: the check's integrity is no policy's to relax */
  readonly mode?: 'enforce' | 'warn' | 'audit';
}

export interface RuntimePlan {
  readonly checks: readonly VerifierCheck[];
  /** admitted declared-digest models that no verified attestation says how to re-hash */
  readonly problems: readonly RuntimeProblem[];
}

export function podSpec(object: unknown, kind: string): Record<string, unknown> | undefined {
  const path = podSpecPath(kind);
  if (!path) return undefined;
  let cur: unknown = object;
  for (const k of path) cur = isRecord(cur) ? cur[k] : undefined;
  return isRecord(cur) ? cur : undefined;
}

export function runtimePlan(object: unknown, kind: string, findings: readonly RuntimeFinding[]): RuntimePlan {
  const spec = podSpec(object, kind);
  const volumes = new Map<string, Record<string, unknown>>();
  for (const v of Array.isArray(spec?.volumes) ? spec.volumes : []) {
    if (isRecord(v) && typeof v.name === 'string') volumes.set(v.name, v);
  }
  const checks: VerifierCheck[] = [];
  const problems: RuntimeProblem[] = [];
  for (const f of findings) {
    if (!f.admitted) continue;
    const vol = volumes.get(f.volume);
    // image volumes are content-addressed; a model that is no pod volume (a modelcar) likewise
    if (vol === undefined || isRecord(vol.image)) continue;
    if (f.content === undefined) {
      problems.push({
        code: 'RUNTIME_CHECK_UNAVAILABLE',
        mode: f.mode,
        message: `policy ${f.policy}: ${f.path} (volume ${f.volume}): no verified model signature (OMS) for its digest says how to re-hash it, so its bytes cannot be checked when the pod starts; sign the model with \`modelseal sign\` or \`model_signing\``,
      });
      continue;
    }
    checks.push({ volume: f.volume, content: f.content, policy: f.policy });
  }
  return { checks, problems };
}
