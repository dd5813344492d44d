/**
 * The OCI 1.1 referrers tag schema, for registries without the referrers API: the tag
 * `sha256-<hex>` holds an index of the subject's referrers. Updates are read-modify-write with
 * If-Match, retried (bounded) when another writer got there first (HTTP 412).
 */
import { isModelsealError, utf8 } from '@modelseal/core';
import type { RegistryClient, Repository } from './client.ts';
import { type Descriptor, indexJson, MEDIA } from './documents.ts';
import { referrersTag } from './reference.ts';

export type ReferrersIndex =
  | {
      readonly kind: 'index';
      readonly manifests: readonly Descriptor[];
      readonly etag?: string;
      readonly exists: boolean;
    }
  | { readonly kind: 'invalid'; readonly message: string };

const MAX_ATTEMPTS = 5;

export async function loadReferrersIndex(
  client: RegistryClient,
  repo: Repository,
  subject: string,
): Promise<ReferrersIndex> {
  const tag = referrersTag(subject);
  try {
    const m = await client.getManifest({ ...repo, tag });
    if (m.document.kind !== 'index') {
      return { kind: 'invalid', message: `the tag ${tag} holds an image manifest, not a referrers index` };
    }
    return {
      kind: 'index',
      manifests: m.document.manifests,
      exists: true,
      // Distribution sends the digest as the ETag; without one, the digest is the same promise
      etag: m.etag ?? `"${m.digest}"`,
    };
  } catch (e) {
    if (isModelsealError(e) && e.code === 'MANIFEST_NOT_FOUND')
      return { kind: 'index', manifests: [], exists: false };
    if (isModelsealError(e) && (e.code === 'MANIFEST_INVALID' || e.code === 'MANIFEST_UNSUPPORTED')) {
      return { kind: 'invalid', message: `the tag ${tag} does not hold a valid index: ${e.message}` };
    }
    throw e;
  }
}

export async function addReferrer(
  client: RegistryClient,
  repo: Repository,
  subject: string,
  entry: Descriptor,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<void> {
  const tag = referrersTag(subject);
  for (let attempt = 1; ; attempt++) {
    const current = await loadReferrersIndex(client, repo, subject);
    // an unusable index under our tag is replaced, as the spec's clients do; its entries were unreadable anyway
    const manifests = current.kind === 'index' ? current.manifests : [];
    if (manifests.some((d) => d.digest === entry.digest)) return;
    const body = utf8(JSON.stringify(indexJson([...manifests, entry])));
    try {
      await client.putManifest(repo, tag, body, MEDIA.ociIndex, {
        ...(current.kind === 'index' && current.etag !== undefined ? { ifMatch: current.etag } : {}),
      });
      return;
    } catch (e) {
      if (!isModelsealError(e) || e.code !== 'REGISTRY_PRECONDITION_FAILED' || attempt >= MAX_ATTEMPTS)
        throw e;
      await sleep(20 * 2 ** attempt + Math.floor(Math.random() * 20));
    }
  }
}
