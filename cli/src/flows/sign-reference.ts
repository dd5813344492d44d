import type { Statement } from '@modelseal/attest';
import type { Reference, RegistryClientOptions } from '@modelseal/oci';
import type { SignerConfig } from '@modelseal/sign';
import { type Artifact, artifactManifest, resolveArtifact } from './artifact.ts';
import { bundleBytes, type Published, publishBundle } from './publish.ts';
import type { Subject } from './subject.ts';

export interface SignReferenceOptions {
  readonly ref: Reference;
  readonly signer: SignerConfig;
  readonly registry: RegistryClientOptions;
  /** also write the bundle to this file */
  readonly bundlePath?: string;
  /** where to file it; default the artifact's own repository (as a referrer); false: nowhere */
  readonly store?: string | false;
}

export interface SignReferenceResult extends Published {
  readonly artifact: Artifact;
  /** the OMS subject: the digest the files (and the directory the kubelet unpacks) hash to */
  readonly subject: Subject;
  readonly statement: Statement;
  readonly resources: number;
}

/**
 * Signs a ModelPack artifact of raw layers by reference, without downloading it: its layer digests
 * are the files' SHA-256 digests, so the OMS statement is the one `sign DIR` writes for the
 * directory the kubelet mounts. The bundle is filed under the MANIFEST digest, where the webhook
 * and cosign look for referrers.
 */
export async function signReference(o: SignReferenceOptions): Promise<SignReferenceResult> {
  const { omsStatement, serializeStatement } = await import('@modelseal/attest');
  const { createSigner } = await import('@modelseal/sign');
  const signer = createSigner(o.signer);
  const artifact = await resolveArtifact(o.ref, o.registry);
  const { manifest } = await artifactManifest(artifact);
  const statement = omsStatement(manifest);
  const bundle = bundleBytes(await signer.sign(serializeStatement(statement)));
  const published = await publishBundle(bundle, artifact.digest, statement.predicateType, {
    ...(o.bundlePath !== undefined ? { bundlePath: o.bundlePath } : {}),
    ...(o.store !== false ? { store: o.store ?? artifact.store } : {}),
    registry: o.registry,
  });
  return {
    ...published,
    artifact,
    subject: { name: manifest.modelName, digest: `sha256:${manifest.subjectDigest}` },
    statement,
    resources: manifest.resources.length,
  };
}
