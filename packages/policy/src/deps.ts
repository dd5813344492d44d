import { PREDICATE_TYPES, ROLE_ANNOTATION } from '@modelseal/attest';
import { isRecord } from '@modelseal/core';
import type { VerifiedAttestation } from './types.ts';

export interface Dependency {
  /** `sha256:<hex>` */
  readonly digest: string;
  /** uri or name, for messages */
  readonly label: string;
}

const MAX_DEPS = 256;

/**
 * The dependencies of a subject that must carry their own attestations: resolvedDependencies of its
 * verified SLSA provenance that have a sha256 digest and are not source code (a git checkout is pinned
 * by its commit, there is nothing of ours to look up).
 */
export function attestableDependencies(attestations: readonly VerifiedAttestation[]): readonly Dependency[] {
  const out = new Map<string, Dependency>();
  for (const a of attestations) {
    const stmt = a.verified.statement;
    if (stmt.predicateType !== PREDICATE_TYPES.slsa) continue;
    const build = stmt.predicate['buildDefinition'];
    const deps = isRecord(build) ? build['resolvedDependencies'] : undefined;
    if (!Array.isArray(deps)) continue;
    for (const d of deps.slice(0, MAX_DEPS)) {
      if (!isRecord(d) || !isRecord(d['digest'])) continue;
      const hex = d['digest']['sha256'];
      if (typeof hex !== 'string' || !/^[0-9a-f]{64}$/.test(hex)) continue;
      const role = isRecord(d['annotations']) ? d['annotations'][ROLE_ANNOTATION] : undefined;
      if (role === 'source') continue;
      const digest = `sha256:${hex}`;
      const label =
        typeof d['uri'] === 'string' ? d['uri'] : typeof d['name'] === 'string' ? d['name'] : digest;
      if (!out.has(digest)) out.set(digest, { digest, label: label.slice(0, 300) });
    }
  }
  return [...out.values()];
}
