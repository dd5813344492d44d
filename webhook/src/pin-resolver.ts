/**
 * Tags to digests for /mutate (`--pin-tags`), through the registry, behind a small bounded cache.
 * Only repositories the operator named with `--store oci://…` are asked: a pod author cannot make
 * the webhook contact a host of their choice. The digest is the hash of the manifest bytes the
 * registry served (the client recomputes it), never a header taken on trust.
 */
import type { EvaluationClock, TagResolver } from '@modelseal/admission';
import { InputError } from '@modelseal/core';
import type { RegistryClient } from '@modelseal/oci';
import { parseReference } from '@modelseal/oci/reference';

export interface TagResolverOptions {
  readonly client: Pick<RegistryClient, 'resolve'>;
  /** `registry/repository`, canonical, as parsed from the `--store oci://` flags */
  readonly repositories: readonly string[];
  /** a resolution younger than this is reused: tags move, so keep it short; default 30 s */
  readonly freshMs?: number;
  /** default 1,000 tags */
  readonly maxEntries?: number;
  readonly now?: () => number;
}

export function registryTagResolver(options: TagResolverOptions): TagResolver & { readonly size: number } {
  const freshMs = options.freshMs ?? 30_000;
  const maxEntries = options.maxEntries ?? 1_000;
  const now = options.now ?? Date.now;
  const allowed = new Set(options.repositories);
  const cache = new Map<string, { digest: string; at: number }>();
  const inflight = new Map<string, Promise<string>>();
  return {
    get size() {
      return cache.size;
    },
    async resolve(reference: string, _clock: EvaluationClock) {
      const ref = parseReference(reference);
      if (ref.digest !== undefined) return ref.digest;
      const repo = `${ref.registry}/${ref.repository}`;
      if (!allowed.has(repo)) {
        throw new InputError({
          code: 'PIN_REPOSITORY_NOT_CONFIGURED',
          message: `${repo} is not one of the registry repositories this webhook reads; its tags are not resolved`,
        });
      }
      const key = `${repo}:${ref.tag}`;
      const hit = cache.get(key);
      if (hit !== undefined && now() - hit.at < freshMs) return hit.digest;
      let p = inflight.get(key);
      if (p === undefined) {
        p = options.client.resolve(ref).then(
          (d) => {
            inflight.delete(key);
            cache.delete(key);
            cache.set(key, { digest: d.digest, at: now() });
            while (cache.size > maxEntries) cache.delete(cache.keys().next().value!);
            return d.digest;
          },
          (e: unknown) => {
            // failures are not cached: the next pod asks again
            inflight.delete(key);
            throw e;
          },
        );
        inflight.set(key, p);
      }
      return p;
    },
  };
}
