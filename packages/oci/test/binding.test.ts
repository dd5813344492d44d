import { buildStatement, omsStatement } from '@modelseal/attest';
import { createManifest } from '@modelseal/manifest';
import { describe, expect, it } from 'vitest';
import { artifactBinding, type ManifestDocument, omsFromArtifact } from '../src/index.ts';

const hex = (c: string) => c.repeat(64);
const layer = (path: string, digest: string) => ({
  mediaType: 'application/vnd.cncf.model.weight.v1.raw',
  digest: `sha256:${digest}`,
  size: 1,
  annotations: { 'org.cncf.model.filepath': path },
});
const doc: ManifestDocument = {
  kind: 'image',
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  config: { mediaType: 'application/vnd.cncf.model.config.v1+json', digest: `sha256:${hex('c')}`, size: 2 },
  layers: [layer('a.bin', hex('1')), layer('run.py', hex('2'))],
  annotations: {},
};

describe('artifactBinding: when a model signature counts for an OCI manifest', () => {
  const artifact = omsFromArtifact(doc, 'm');
  const binds = artifactBinding(artifact);

  it('binds the OMS statement of exactly its files', () => {
    expect(binds(omsStatement(artifact.manifest))).toBe(true);
  });

  it('does not bind renamed files with the same digests, though the subject digest is the same', () => {
    const renamed = createManifest({
      modelName: 'm',
      serialization: artifact.manifest.serialization,
      resources: [
        { name: 'a.bin', algorithm: 'sha256', digest: hex('1') },
        { name: 'run.sh', algorithm: 'sha256', digest: hex('2') },
      ],
    });
    expect(renamed.subjectDigest).toBe(artifact.manifest.subjectDigest);
    expect(binds(omsStatement(renamed))).toBe(false);
  });

  it('does not bind other predicates, or a subject-only claim', () => {
    const subject = [{ name: 'm', digest: { sha256: artifact.manifest.subjectDigest } }];
    expect(binds(buildStatement(subject, 'https://slsa.dev/provenance/v1', { buildDefinition: {} }))).toBe(
      false,
    );
    expect(binds(buildStatement(subject, 'https://model_signing/signature/v1.0', { resources: [] }))).toBe(
      false,
    );
  });
});
