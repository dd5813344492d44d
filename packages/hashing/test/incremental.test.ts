import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import type { Serialization } from '@modelseal/manifest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashModel, hashModelIncremental } from '../src/index.ts';
import { cleanupTempDirs, files, shards, tempDir } from './helpers.ts';

afterAll(cleanupTempDirs);

const OLD = new Date('2024-01-02T03:04:05Z');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A model whose files look a year old; their ctime is now, hence the wait in beforeAll. */
function makeModel(n = 4): string {
  const dir = tempDir('ms-incr-');
  mkdirSync(join(dir, 'sub'));
  for (let i = 0; i < n; i++)
    writeFileSync(join(dir, i % 2 ? `sub/w${i}.bin` : `w${i}.bin`), randomBytes(5000 + i));
  writeFileSync(join(dir, 'empty'), '');
  for (const f of ['empty', ...Array.from({ length: n }, (_, i) => (i % 2 ? `sub/w${i}.bin` : `w${i}.bin`))])
    utimesSync(join(dir, f), OLD, OLD);
  return dir;
}

/** Replaces a file's bytes in place, same size, and puts its mtime back: only ctime tells. */
function rewriteKeepingMtime(path: string): void {
  const st = statSync(path);
  writeFileSync(path, randomBytes(st.size));
  utimesSync(path, st.atime, st.mtime);
}

let models: Record<'files' | 'shards' | 'many' | 'corrupt' | 'params', string>;
beforeAll(async () => {
  models = {
    files: makeModel(),
    shards: makeModel(),
    many: makeModel(40),
    corrupt: makeModel(),
    params: makeModel(),
  };
  // every stamp must be over a second older than the run that records it (the racy rule)
  await sleep(1100);
});

async function run(dir: string, s: Serialization, cacheDir: string) {
  const r = await hashModelIncremental(dir, { serialization: s, cacheDir });
  expect(r.manifest).toEqual(await hashModel(dir, { serialization: s }));
  return r;
}

describe('hashModelIncremental', () => {
  it.each([
    ['files', files()],
    ['shards', shards(2048)],
  ] as const)('%s: reuses unchanged files and notices every kind of change', async (kind, s) => {
    const dir = models[kind];
    const cache = tempDir('ms-cache-');
    const first = await run(dir, s, cache);
    expect(first).toMatchObject({ reused: 0, hashed: 5 });
    expect(statSync(first.cacheFile!).mode & 0o777).toBe(0o600);
    expect(statSync(cache).mode & 0o777).toBe(0o700);
    expect(await run(dir, s, cache)).toMatchObject({ reused: 5, hashed: 0, hashedBytes: 0 });

    rewriteKeepingMtime(join(dir, 'w0.bin'));
    expect(await run(dir, s, cache)).toMatchObject({ reused: 4, hashed: 1 });

    // another inode renamed over the file, same size and mtime
    const target = join(dir, 'sub/w1.bin');
    const st = statSync(target);
    writeFileSync(`${target}.new`, randomBytes(st.size));
    utimesSync(`${target}.new`, st.atime, st.mtime);
    renameSync(`${target}.new`, target);
    expect(statSync(target).ino).not.toBe(st.ino);
    // w0 may be hashed again too: its new ctime is too recent to trust
    expect((await run(dir, s, cache)).hashed).toBeGreaterThanOrEqual(1);

    truncateSync(join(dir, 'w2.bin'), 100);
    utimesSync(join(dir, 'w2.bin'), OLD, OLD);
    writeFileSync(join(dir, 'sub/w3.bin'), randomBytes(9000)); // extended
    utimesSync(join(dir, 'sub/w3.bin'), OLD, OLD);
    expect((await run(dir, s, cache)).hashed).toBeGreaterThanOrEqual(2);
  });

  it('does not trust a stamp recorded within a second of the file being written (racy-git rule)', async () => {
    const dir = makeModel(2);
    const cache = tempDir('ms-cache-');
    const s = files();
    await sleep(1100);
    await run(dir, s, cache);
    rewriteKeepingMtime(join(dir, 'w0.bin'));
    // recorded right after the write: the next run hashes it again, and again until it is old
    expect(await run(dir, s, cache)).toMatchObject({ hashed: 1 });
    expect(await run(dir, s, cache)).toMatchObject({ hashed: 1 });
    await sleep(1100);
    expect(await run(dir, s, cache)).toMatchObject({ hashed: 1 });
    expect(await run(dir, s, cache)).toMatchObject({ hashed: 0 });
  });

  it('hashes in one pass when many files changed, and caches that pass', async () => {
    const dir = models.many;
    const cache = tempDir('ms-cache-');
    expect(await run(dir, files(), cache)).toMatchObject({ reused: 0, hashed: 41 });
    expect(await run(dir, files(), cache)).toMatchObject({ reused: 41, hashed: 0 });
  });

  it('ignores, with a note, a cache that is corrupt, truncated, of another version or writable by others', async () => {
    const dir = models.corrupt;
    const s = files('blake2b');
    const cache = tempDir('ms-cache-');
    const { cacheFile } = await run(dir, s, cache);
    expect((await run(dir, s, cache)).reused).toBe(5);
    const good = readFileSync(cacheFile!, 'utf8');
    const cases: Array<[string, () => void, RegExp]> = [
      ['truncated', () => writeFileSync(cacheFile!, good.slice(0, good.length / 2)), /corrupt or truncated/],
      ['corrupt', () => writeFileSync(cacheFile!, good.replace(/"[0-9a-f]{64,}"/, '"zz"')), /corrupt/],
      ['version', () => writeFileSync(cacheFile!, good.replace('"version":1', '"version":99')), /version 99/],
      ['mode', () => chmodSync(cacheFile!, 0o666), /writable by others/],
    ];
    for (const [what, spoil, note] of cases) {
      spoil();
      const r = await run(dir, s, cache);
      expect({ what, reused: r.reused, note: r.notes.join(' ') }).toMatchObject({
        what,
        reused: 0,
        note: expect.stringMatching(note),
      });
      expect(statSync(cacheFile!).mode & 0o777).toBe(0o600); // rewritten whole, by rename
    }
    expect(readdirSync(cache).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('keeps one cache per serialization: another hash or shard size starts afresh', async () => {
    const dir = models.params;
    const cache = tempDir('ms-cache-');
    await run(dir, files('sha256'), cache);
    expect((await run(dir, files('blake2b'), cache)).reused).toBe(0);
    expect((await run(dir, shards(1000), cache)).reused).toBe(0);
    expect((await run(dir, shards(1000), cache)).reused).toBe(5);
    expect((await run(dir, shards(999), cache)).reused).toBe(0);
    expect(readdirSync(cache)).toHaveLength(4);
  });
});
