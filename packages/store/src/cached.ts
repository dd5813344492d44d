import type { FoundBundles, Store, StoreFailure } from './types.ts';

export interface CachedStoreOptions {
  /** answers younger than this are served without asking the store; default 10 s */
  readonly freshMs?: number;
  /** an older answer is still served when the store fails or is slow, up to this age; default 24 h */
  readonly staleMs?: number;
  /** with an older answer at hand, wait at most this long for the store; default 2 s */
  readonly answerWithinMs?: number;
  /** default 1,000 subjects */
  readonly maxEntries?: number;
  /** bundle bytes held in all; default 64 MiB */
  readonly maxBytes?: number;
  readonly now?: () => number;
}

interface Entry {
  readonly found: FoundBundles;
  readonly at: number;
  readonly bytes: number;
}

/**
 * A bounded cache in front of a remote store (a registry), so an admission answer keeps to its
 * deadline while the registry is down or slow: a recent answer is served as is; an older one is
 * refreshed, but if the refresh fails or takes longer than `answerWithinMs` the older answer is
 * served (marked with a STORE_STALE failure) and the refresh goes on in the background. Lookups
 * for one key in flight at once share one request. With nothing cached, errors pass through.
 * The cached bundles are unverified bytes as before: the checker verifies whatever is served.
 */
export function cachedStore<S extends Store>(
  store: S,
  options: CachedStoreOptions = {},
): Store & { readonly size: number } {
  const freshMs = options.freshMs ?? 10_000;
  const staleMs = options.staleMs ?? 24 * 60 * 60_000;
  const answerWithinMs = options.answerWithinMs ?? 2_000;
  const maxEntries = options.maxEntries ?? 1_000;
  const maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();
  const inflight = new Map<string, Promise<FoundBundles>>();
  let bytes = 0;

  const remember = (key: string, found: FoundBundles) => {
    const size = found.reduce((n, b) => n + b.bundle.byteLength, 0);
    forget(key);
    if (size > maxBytes) return;
    entries.set(key, { found, at: now(), bytes: size });
    bytes += size;
    while (entries.size > maxEntries || bytes > maxBytes) {
      const oldest = entries.keys().next().value;
      if (oldest === undefined) break;
      forget(oldest);
    }
  };
  const forget = (key: string) => {
    const old = entries.get(key);
    if (old === undefined) return;
    entries.delete(key);
    bytes -= old.bytes;
  };
  const refresh = (key: string, subject: string, predicateType?: string): Promise<FoundBundles> => {
    let p = inflight.get(key);
    if (p === undefined) {
      p = store.find(subject, predicateType).then(
        (found) => {
          inflight.delete(key);
          remember(key, found);
          return found;
        },
        (e: unknown) => {
          inflight.delete(key);
          throw e;
        },
      );
      inflight.set(key, p);
    }
    return p;
  };

  return {
    get size() {
      return entries.size;
    },
    async find(subject, predicateType) {
      const key = `${subject}\0${predicateType ?? ''}`;
      const hit = entries.get(key);
      const age = hit === undefined ? Infinity : now() - hit.at;
      if (hit !== undefined && age < freshMs) {
        entries.delete(key);
        entries.set(key, hit);
        return hit.found;
      }
      const fresh = refresh(key, subject, predicateType);
      if (hit === undefined || age > staleMs) return fresh;
      // a failed background refresh must not surface as an unhandled rejection
      fresh.catch(() => undefined);
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), answerWithinMs);
      });
      try {
        const got = await Promise.race([fresh, late]);
        if (got !== 'late') return got;
        return stale(hit, now() - hit.at, `no answer within ${answerWithinMs} ms`);
      } catch (e) {
        return stale(hit, now() - hit.at, (e instanceof Error ? e.message : String(e)).slice(0, 300));
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

function stale(hit: Entry, ageMs: number, why: string): FoundBundles {
  const note: StoreFailure = {
    code: 'STORE_STALE',
    message: `answered from a cached lookup ${Math.round(ageMs / 1000)} s old: ${why}`,
    source: 'cache',
  };
  return Object.assign([...hit.found], {
    failures: [...(hit.found.failures ?? []), note],
    ...(hit.found.binds ? { binds: hit.found.binds } : {}),
  });
}
