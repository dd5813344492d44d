import { parseSlsaProvenance, type ResourceDescriptor, ROLE_ANNOTATION } from '@modelseal/attest';
import type { BomBuild, BomDependency, DependencyRole } from './types.ts';

/** `hf://org/name@<commit>` as `attest --base-model/--dataset` writes a pinned hub dependency */
const HF_PINNED = /^hf:\/\/(.+)@([0-9a-f]{40})$/;

/**
 * The build facts of a verified SLSA v1 predicate: the builder and every resolved dependency
 * (datasets, base models, training code) with its digest or pinned commit. Throws SLSA_INVALID
 * on a predicate that is not SLSA v1.
 */
export function buildFromProvenance(predicate: unknown): BomBuild {
  const p = parseSlsaProvenance(predicate);
  const builderId = p.runDetails.builder.id;
  const md = p.runDetails.metadata;
  return {
    builderId,
    buildType: p.buildDefinition.buildType,
    ...(md?.invocationId ? { invocationId: md.invocationId } : {}),
    ...(md?.startedOn ? { startedOn: md.startedOn } : {}),
    ...(md?.finishedOn ? { finishedOn: md.finishedOn } : {}),
    dependencies: (p.buildDefinition.resolvedDependencies ?? []).map((d) => dependencyOf(d, builderId)),
  };
}

function dependencyOf(d: ResourceDescriptor, builder: string): BomDependency {
  const hf = d.uri ? HF_PINNED.exec(d.uri) : null;
  const sha256 = d.digest?.['sha256'];
  const commit = d.digest?.['gitCommit'] ?? hf?.[2];
  return {
    role: roleOf(d.annotations?.[ROLE_ANNOTATION]),
    name: d.name ?? hf?.[1] ?? d.uri ?? 'unnamed',
    ...(d.uri ? { uri: d.uri } : {}),
    ...(sha256 ? { sha256 } : {}),
    ...(commit ? { commit } : {}),
    builder,
  };
}

function roleOf(v: unknown): DependencyRole {
  return v === 'dataset' || v === 'base-model' || v === 'source' ? v : 'other';
}
