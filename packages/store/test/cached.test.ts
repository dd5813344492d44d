import { describe, expect, it } from 'vitest';
import { cachedStore, combinedStores, type FoundBundles, type Store } from '../src/index.ts';

const S = `sha256:${'a'.repeat(64)}`;
const bundle = (n: number) => ({ bundle: new Uint8Array(n).fill(1), source: `b${n}` });

/** a store whose next answer the test decides: a value, an error, or a wait */
function scripted() {
  let next: () => Promise<FoundBundles> = async () => [bundle(1)];
  let calls = 0;
  const store: Store = {
    find: () => {
      calls++;
      return next();
    },
  };
  return {
    store,
    get calls() {
      return calls;
    },
    answer(f: () => Promise<FoundBundles>) {
      next = f;
    },
  };
}

describe('cachedStore', () => {
  it('serves fresh answers without asking, refreshes older ones', async () => {
    let now = 0;
    const s = scripted();
    const c = cachedStore(s.store, { freshMs: 100, now: () => now });
    expect(await c.find(S)).toHaveLength(1);
    expect(await c.find(S)).toHaveLength(1);
    expect(s.calls).toBe(1);
    now = 150;
    s.answer(async () => [bundle(1), bundle(2)]);
    expect(await c.find(S)).toHaveLength(2);
    expect(s.calls).toBe(2);
  });

  it('answers from the older lookup when the store fails or is slow, marked STORE_STALE', async () => {
    let now = 0;
    const s = scripted();
    const c = cachedStore(s.store, { freshMs: 10, answerWithinMs: 50, now: () => now });
    await c.find(S);
    now = 100;
    s.answer(async () => {
      throw Object.assign(new Error('registry down'), { code: 'REGISTRY_UNREACHABLE' });
    });
    const failed = await c.find(S);
    expect(failed).toHaveLength(1);
    expect(failed.failures?.[0]).toMatchObject({ code: 'STORE_STALE' });
    expect(failed.failures?.[0]?.message).toContain('registry down');
    s.answer(() => new Promise((r) => setTimeout(() => r([bundle(3)]), 300)));
    const t0 = Date.now();
    const slow = await c.find(S);
    expect(Date.now() - t0).toBeLessThan(250);
    expect(slow.failures?.[0]?.message).toContain('no answer within 50 ms');
    // the slow refresh lands in the background and is served next
    await new Promise((r) => setTimeout(r, 350));
    now = 105;
    expect((await c.find(S))[0]?.source).toBe('b3');
  });

  it('passes errors through with nothing cached, and past staleMs', async () => {
    let now = 0;
    const s = scripted();
    const c = cachedStore(s.store, { freshMs: 10, staleMs: 1000, now: () => now });
    s.answer(async () => {
      throw new Error('down');
    });
    await expect(c.find(S)).rejects.toThrow('down');
    s.answer(async () => [bundle(1)]);
    await c.find(S);
    now = 5000;
    s.answer(async () => {
      throw new Error('down again');
    });
    await expect(c.find(S)).rejects.toThrow('down again');
  });

  it('is bounded by entries and bytes, and coalesces lookups in flight', async () => {
    const s = scripted();
    const c = cachedStore(s.store, { maxEntries: 2, maxBytes: 10 });
    for (const d of ['b', 'c', 'd']) await c.find(`sha256:${d.repeat(64)}`);
    expect(c.size).toBe(2);
    s.answer(async () => [bundle(20)]);
    await c.find(S);
    expect(c.size).toBe(2);
    const s2 = scripted();
    s2.answer(() => new Promise((r) => setTimeout(() => r([bundle(1)]), 20)));
    const c2 = cachedStore(s2.store);
    await Promise.all([c2.find(S), c2.find(S), c2.find(S)]);
    expect(s2.calls).toBe(1);
  });
});

describe('combinedStores', () => {
  it('asks every store; one that fails adds a failure, the others still answer', async () => {
    const ok: Store = { find: async () => Object.assign([bundle(1)], { binds: () => true }) };
    const bad = Object.assign(
      { find: async () => Promise.reject(new Error('boom')) },
      { location: 'oci://r/x' },
    );
    const found = await combinedStores([ok, bad]).find(S);
    expect(found).toHaveLength(1);
    expect(found.failures).toEqual([{ code: 'STORE_FAILED', message: 'boom', source: 'oci://r/x' }]);
    expect(typeof found.binds).toBe('function');
  });
});
