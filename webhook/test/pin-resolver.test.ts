/** The tag resolver behind --pin-tags: only configured repositories, canonical names, a bounded short cache. */
import { InternalError, isModelsealError } from '@modelseal/core';
import type { Reference } from '@modelseal/oci';
import { describe, expect, it } from 'vitest';
import { registryTagResolver } from '../src/pin-resolver.ts';

const D1 = `sha256:${'a1'.repeat(32)}`;
const clock = { now: () => performance.now() };

function fakeClient(fail = false) {
  const calls: Reference[] = [];
  return {
    calls,
    client: {
      async resolve(ref: Reference) {
        calls.push(ref);
        await new Promise((r) => setTimeout(r, 5));
        if (fail) throw new InternalError({ code: 'REGISTRY_UNREACHABLE', message: 'down' });
        return { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: D1, size: 10 };
      },
    },
  };
}

const codeOf = async (p: Promise<unknown>) => {
  try {
    await p;
    return 'resolved';
  } catch (e) {
    return isModelsealError(e) ? e.code : String(e);
  }
};

describe('registryTagResolver', () => {
  it('asks only repositories it was given, compared canonically', async () => {
    const { client, calls } = fakeClient();
    const r = registryTagResolver({
      client,
      repositories: ['registry.example.com/models/tiny', 'docker.io/library/m'],
    });
    expect(await r.resolve('REGISTRY.example.com/models/tiny:v1', clock)).toBe(D1);
    expect(await r.resolve('m:v2', clock)).toBe(D1);
    expect(await codeOf(r.resolve('evil.example.com/models/tiny:v1', clock))).toBe(
      'PIN_REPOSITORY_NOT_CONFIGURED',
    );
    expect(await codeOf(r.resolve('registry.example.com/models/tiny2:v1', clock))).toBe(
      'PIN_REPOSITORY_NOT_CONFIGURED',
    );
    expect(await codeOf(r.resolve('not a reference', clock))).toBe('OCI_BAD_REFERENCE');
    expect(calls.map((c) => `${c.registry}/${c.repository}:${c.tag}`)).toEqual([
      'registry.example.com/models/tiny:v1',
      'docker.io/library/m:v2',
    ]);
  });

  it('coalesces concurrent lookups, reuses an answer while fresh, bounds its size, never caches failures', async () => {
    let t = 0;
    const { client, calls } = fakeClient();
    const r = registryTagResolver({
      client,
      repositories: ['r.example.com/m'],
      freshMs: 1000,
      maxEntries: 2,
      now: () => t,
    });
    await Promise.all([r.resolve('r.example.com/m:v1', clock), r.resolve('r.example.com/m:v1', clock)]);
    expect(calls).toHaveLength(1);
    t = 999;
    await r.resolve('r.example.com/m:v1', clock);
    expect(calls).toHaveLength(1);
    t = 1000;
    await r.resolve('r.example.com/m:v1', clock);
    expect(calls).toHaveLength(2);
    for (const tag of ['a', 'b', 'c']) await r.resolve(`r.example.com/m:${tag}`, clock);
    expect(r.size).toBe(2);

    const down = fakeClient(true);
    const failing = registryTagResolver({ client: down.client, repositories: ['r.example.com/m'] });
    expect(await codeOf(failing.resolve('r.example.com/m:v1', clock))).toBe('REGISTRY_UNREACHABLE');
    expect(await codeOf(failing.resolve('r.example.com/m:v1', clock))).toBe('REGISTRY_UNREACHABLE');
    expect(down.calls).toHaveLength(2);
  });
});
