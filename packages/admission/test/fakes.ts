/** An in-memory Store for tests that need to count or break lookups. */
import type { Store, StoredBundle } from '../src/contract.ts';

export function memoryStore(): Store & {
  put(subject: string, predicateType: string, bundle: Uint8Array): void;
  calls: number;
} {
  const m = new Map<string, StoredBundle[]>();
  return {
    calls: 0,
    put(subject, predicateType, bundle) {
      const list = m.get(subject) ?? [];
      m.set(subject, [...list, { bundle, predicateType, source: `mem:${subject}#${list.length}` }]);
    },
    async find(subject) {
      this.calls++;
      return m.get(subject) ?? [];
    },
  };
}
