import type { ArtifactManifest, ManifestDocument, Reference, RegistryClientOptions } from '@modelseal/oci';
import type { FoundBundles, Store } from '@modelseal/store';
import { err } from '../io.ts';

/** A reference resolved at the registry: the manifest digest is what gets signed and looked up. */
export interface Artifact {
  readonly ref: Reference;
  /** the manifest digest (`sha256:<hex>`), computed from the bytes the registry served */
  readonly digest: string;
  /** the tag it was resolved from, when one was named */
  readonly tag?: string;
  readonly mediaType: string;
  readonly document: ManifestDocument;
  /** `oci://registry/repository`: where its bundles live by default */
  readonly store: string;
  /** `registry/repository:tag`, or `…@digest` when pinned: the subject name, tag recorded */
  readonly name: string;
  readonly pinned: string;
}

export async function resolveArtifact(ref: Reference, registry: RegistryClientOptions): Promise<Artifact> {
  const { registryClient, formatReference } = await import('@modelseal/oci');
  const m = await registryClient(registry).getManifest(ref);
  const repo = `${ref.registry}/${ref.repository}`;
  const tag = ref.digest === undefined ? ref.tag : undefined;
  if (tag !== undefined) err(`resolved ${formatReference(ref)} to ${repo}@${m.digest}`);
  return Object.freeze({
    ref,
    digest: m.digest,
    ...(ref.tag !== undefined ? { tag: ref.tag } : {}),
    mediaType: m.mediaType,
    document: m.document,
    store: `oci://${repo}`,
    name: ref.tag !== undefined ? `${repo}:${ref.tag}` : `${repo}@${m.digest}`,
    pinned: `${repo}@${m.digest}`,
  });
}

/** The OMS manifest of a ModelPack artifact of raw layers, from its manifest alone (coded refusals). */
export async function artifactManifest(a: Artifact): Promise<ArtifactManifest> {
  const { omsFromArtifact } = await import('@modelseal/oci');
  return omsFromArtifact(a.document, a.ref.repository.split('/').pop() ?? a.ref.repository);
}

/** What the JSON outputs say about the artifact, so scripts get both the tag and the digest. */
export function artifactJson(a: Artifact): Record<string, unknown> {
  return {
    reference: a.name,
    ...(a.tag !== undefined ? { tag: a.tag } : {}),
    digest: a.digest,
    pinned: a.pinned,
    mediaType: a.mediaType,
  };
}

/**
 * The store, answering for this artifact with a check of its content: an OMS signature of exactly
 * its files counts for its manifest digest, whichever store holds the bundle (a directory too).
 * Not a ModelPack of raw files: bundles must name the manifest digest itself.
 */
export async function bindArtifact(store: Store, a: Artifact): Promise<Store> {
  const { artifactBinding } = await import('@modelseal/oci');
  let binds: FoundBundles['binds'];
  try {
    binds = artifactBinding(await artifactManifest(a));
  } catch {
    return store;
  }
  return {
    async find(subject, predicateType) {
      const found = await store.find(subject, predicateType);
      if (subject !== a.digest) return found;
      return Object.assign([...found], { failures: found.failures ?? [], binds });
    },
  };
}
