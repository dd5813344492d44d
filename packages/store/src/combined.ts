import { isModelsealError } from '@modelseal/core';
import type { FoundBundles, Store, StoredBundle, StoreFailure } from './types.ts';

/**
 * Several stores read as one (a directory and registries, say): every store is asked at once;
 * one that fails adds a failure instead of hiding what the others found. A content binding
 * (`binds`) is taken from the first store that offers one.
 */
export function combinedStores(stores: readonly (Store & { readonly location?: string })[]): Store {
  if (stores.length === 1) return stores[0]!;
  return {
    async find(subject, predicateType) {
      const answers = await Promise.allSettled(stores.map((s) => s.find(subject, predicateType)));
      const bundles: StoredBundle[] = [];
      const failures: StoreFailure[] = [];
      let binds: FoundBundles['binds'];
      answers.forEach((a, i) => {
        if (a.status === 'fulfilled') {
          bundles.push(...a.value);
          failures.push(...(a.value.failures ?? []));
          binds ??= a.value.binds;
          return;
        }
        const e = a.reason;
        failures.push({
          code: isModelsealError(e) ? e.code : 'STORE_FAILED',
          message: (e instanceof Error ? e.message : String(e)).slice(0, 500),
          source: stores[i]!.location ?? `store ${i + 1}`,
        });
      });
      return Object.assign(bundles, { failures, ...(binds ? { binds } : {}) });
    },
  };
}
