/**
 * A size-bounded LRU of settled results plus a map of in-flight promises, so N identical checks
 * arriving together cost one verification. Failures are kept for `negativeTtlMs` only: a bundle
 * that failed because a store hiccuped must get another chance soon.
 */
export interface CacheStats {
  hits: number;
  misses: number;
  coalesced: number;
}

type Entry<V> = { ok: true; value: V; expires: number } | { ok: false; error: unknown; expires: number };

export interface ResultCache<V> {
  get(key: string, compute: () => Promise<V>): Promise<V>;
  readonly stats: CacheStats;
  readonly size: number;
}

export function createResultCache<V>(opts: {
  maxEntries: number;
  ttlMs: number;
  negativeTtlMs: number;
  now: () => number;
}): ResultCache<V> {
  const settled = new Map<string, Entry<V>>();
  const inflight = new Map<string, Promise<V>>();
  const stats: CacheStats = { hits: 0, misses: 0, coalesced: 0 };

  const remember = (key: string, entry: Entry<V>) => {
    settled.delete(key);
    settled.set(key, entry);
    while (settled.size > opts.maxEntries) {
      const oldest = settled.keys().next().value;
      if (oldest === undefined) break;
      settled.delete(oldest);
    }
  };

  return {
    stats,
    get size() {
      return settled.size;
    },
    get(key, compute) {
      const hit = settled.get(key);
      if (hit !== undefined) {
        if (hit.expires > opts.now()) {
          stats.hits++;
          // refresh recency: Map keeps insertion order
          settled.delete(key);
          settled.set(key, hit);
          return hit.ok ? Promise.resolve(hit.value) : Promise.reject(hit.error);
        }
        settled.delete(key);
      }
      const running = inflight.get(key);
      if (running !== undefined) {
        stats.coalesced++;
        return running;
      }
      stats.misses++;
      const p = (async () => {
        try {
          const value = await compute();
          remember(key, { ok: true, value, expires: opts.now() + opts.ttlMs });
          return value;
        } catch (error) {
          remember(key, { ok: false, error, expires: opts.now() + opts.negativeTtlMs });
          throw error;
        } finally {
          inflight.delete(key);
        }
      })();
      inflight.set(key, p);
      return p;
    },
  };
}
