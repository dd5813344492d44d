/**
 * When a signature of a model's files counts for an OCI artifact: an OMS statement binds a
 * ModelPack manifest (fetched by digest, so its layers are a fact) when the signed file list,
 * names and digests, is exactly the artifact's raw layers. The subject digest alone is not enough:
 * it hashes the digests only, so renamed files would keep it. Pure.
 */
import { manifestFromOmsStatement, OMS_PREDICATE_TYPE, type Statement } from '@modelseal/attest';
import { diffManifests } from '@modelseal/manifest';
import type { ArtifactManifest } from './modelpack.ts';

export type StatementBinding = (statement: Statement) => boolean;

export function artifactBinding(artifact: ArtifactManifest): StatementBinding {
  return (statement) => {
    if (statement.predicateType !== OMS_PREDICATE_TYPE) return false;
    let signed: ReturnType<typeof manifestFromOmsStatement>;
    try {
      signed = manifestFromOmsStatement(statement);
    } catch {
      return false;
    }
    const d = diffManifests(signed, artifact.manifest);
    return d.changed.length + d.missing.length + d.extra.length + d.parameters.length === 0;
  };
}
