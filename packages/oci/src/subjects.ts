import type { RegistryClient, Repository } from './client.ts';
import { parseDigest } from './reference.ts';

const REFERRERS_TAG = /^sha256-([0-9a-f]{64})$/;

/**
 * Every manifest digest of a repository that may have bundles: the subjects of its referrers tags
 * (`sha256-<hex>`, the fallback index) and what its other tags point at (a registry with the
 * referrers API keeps no tag; its tagged models are found this way). Untagged manifests that only
 * the referrers API knows about cannot be listed: name them one at a time.
 */
export async function ociSubjects(client: RegistryClient, repo: Repository): Promise<string[]> {
  const tags = await client.listTags(repo);
  const subjects = new Set<string>();
  for (const tag of tags) {
    const m = REFERRERS_TAG.exec(tag);
    if (m) subjects.add(parseDigest(`sha256:${m[1]}`));
  }
  for (const tag of tags) {
    if (REFERRERS_TAG.test(tag)) continue;
    subjects.add((await client.resolve({ ...repo, tag })).digest);
  }
  return [...subjects].sort();
}
