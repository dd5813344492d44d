import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createManifest, type Resource, subjectDigestOf } from '../src/index.ts';

const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');
const files = { method: 'files', hashType: 'sha256', allowSymlinks: false, ignorePaths: [] } as const;
const res = (name: string, content: string): Resource => ({
  name,
  algorithm: 'sha256',
  digest: sha256(content),
});

describe('subject digest', () => {
  it('is SHA-256 over the raw resource digests in listed order', () => {
    const resources = [res('a', 'x'), res('b', 'y')];
    const raw = Buffer.concat(resources.map((r) => Buffer.from(r.digest, 'hex')));
    expect(subjectDigestOf(resources)).toBe(sha256(raw));
    expect(subjectDigestOf([...resources].reverse())).not.toBe(sha256(raw));
    expect(subjectDigestOf([])).toBe(sha256(''));
  });

  it('travels on the manifest createManifest builds, which later edits cannot reach', () => {
    const resources = [res('a', 'x'), res('b', 'y')];
    const m = createManifest({ modelName: 'm', serialization: files, resources });
    expect(m.subjectDigest).toBe(subjectDigestOf(resources));
    resources.push(res('c', 'z'));
    expect(m.resources).toHaveLength(2);
    expect(Object.isFrozen(m) && Object.isFrozen(m.resources)).toBe(true);
  });

  it.each([
    ['uppercase hex', 'AB'.repeat(32)],
    ['a non-hex character', `${'ab'.repeat(31)}zz`],
    ['an odd length', 'abc'],
    ['an empty digest', ''],
  ])('a resource digest with %s is BAD_RESOURCE_DIGEST, naming the resource', (_, bad) => {
    const resources = [
      { name: 'good.bin', algorithm: 'sha256', digest: 'cd'.repeat(32) },
      { name: 'bad.bin', algorithm: 'sha256', digest: bad },
    ];
    for (const build of [
      () => subjectDigestOf(resources),
      () => createManifest({ modelName: 'm', serialization: files, resources }),
    ]) {
      let caught: unknown;
      try {
        build();
      } catch (e) {
        caught = e;
      }
      expect(caught).toMatchObject({ code: 'BAD_RESOURCE_DIGEST', details: { name: 'bad.bin' } });
    }
  });
});
