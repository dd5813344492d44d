/**
 * BLAKE3 digests against the reference tool (`b3sum`, Debian) and @noble/hashes, across the sizes
 * where BLAKE3's tree changes shape: chunk (1 KiB) and piece (1 MiB) edges, and files big enough
 * to be split into subtrees that both threads hash.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { blake3 } from '@noble/hashes/blake3.js';
import { afterAll, describe, expect, it } from 'vitest';
import { blake3Engine } from '../src/blake3.ts';
import { hashModel } from '../src/index.ts';
import { hashTask, type ReadTask } from '../src/read.ts';
import { PIECE, rangeBytes, splitTasks, subtreeHasher } from '../src/tree.ts';
import { cleanupTempDirs, files, opts, tempDir } from './helpers.ts';

afterAll(cleanupTempDirs);

const hasB3sum = spawnSync('b3sum', ['--version']).status === 0;
const MiB = 1 << 20;
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** b3sum's digest of each path, in order */
function b3sum(paths: string[]): string[] {
  const r = spawnSync('b3sum', ['--no-names', ...paths], { encoding: 'utf8' });
  expect(r.status).toBe(0);
  return r.stdout.trim().split('\n');
}

const SIZES = [
  0,
  1,
  1023,
  1024,
  1025,
  4096,
  MiB - 1,
  MiB,
  MiB + 1,
  8 * MiB - 1, // the largest unsplit file
  8 * MiB, // split into 1 MiB ranges
  8 * MiB + 1025,
  16 * MiB + 3, // 2 MiB ranges, the last 3 bytes alone
  35 * MiB + 4097, // 4 MiB ranges, an odd count
];

describe('BLAKE3', () => {
  it('uses the native addon here (it is installed and passes its self-test)', async () => {
    const e = await blake3Engine();
    expect(e.fallback).toBeUndefined();
    expect(e.backend).toBe('native');
    expect(e.tree).toBeDefined();
  });

  it('splits only big files, into power-of-two ranges', () => {
    expect(splitTasks([{ path: 'a', name: 'a', expectedSize: 8 * MiB - 1 }])).toBeUndefined();
    const s = splitTasks([
      { path: 'a', name: 'a', expectedSize: 100 },
      { path: 'b', name: 'b', expectedSize: 16 * MiB + 3 },
    ]);
    expect(s?.tasks.map((t) => [t.name, t.start, t.end])).toEqual([
      ['a', undefined, undefined],
      ...Array.from({ length: 8 }, (_, k) => ['b', k * 2 * MiB, (k + 1) * 2 * MiB]),
      ['b', 16 * MiB, 16 * MiB + 3],
    ]);
    expect([...(s?.first ?? [])]).toEqual([0, 1]);
    expect([...(s?.count ?? [])]).toEqual([1, 9]);
    expect(rangeBytes(4 * 2 ** 30)).toBe(64 * MiB);
  });

  // made once for both thread counts: the pure-JS reference is slow on the bigger sizes
  let made: { dir: string; paths: string[]; want: string[] } | undefined;
  const edges = () => {
    if (made) return made;
    const dir = tempDir();
    const data = SIZES.map((n) => randomBytes(n));
    const paths = SIZES.map((n, i) => join(dir, `f${String(i).padStart(2, '0')}-${n}`));
    for (const [i, p] of paths.entries()) writeFileSync(p, data[i]!);
    made = { dir, paths, want: data.map((d) => hex(blake3(d))) };
    return made;
  };

  it.each([1, 2])(
    'hashModel with %i thread(s) matches b3sum and @noble/hashes at tree edges',
    async (threads) => {
      const { dir, paths, want } = edges();
      const m = await hashModel(dir, opts(files('blake3'), { concurrency: threads }));
      const got = new Map(m.resources.map((r) => [r.name, r.digest]));
      expect(paths.map((p) => got.get(p.slice(dir.length + 1)))).toEqual(want);
      if (hasB3sum) expect(b3sum(paths)).toEqual(want);
    },
  );

  it.skipIf(!hasB3sum)('one big file on both threads matches b3sum', async () => {
    const dir = tempDir();
    const path = join(dir, 'w.bin');
    writeFileSync(path, randomBytes(40 * MiB + 12345));
    const m = await hashModel(path, opts(files('blake3'), { concurrency: 2 }));
    expect(m.resources.map((r) => r.digest)).toEqual(b3sum([path]));
  });

  it('a range fed in uneven reads gets the same chaining value as in whole pieces', async () => {
    const { tree } = await blake3Engine();
    if (!tree) throw new Error('no native tree');
    const data = randomBytes(4 * MiB + 77);
    const even = subtreeHasher(tree, 8 * MiB);
    for (let o = 0; o < data.length; o += PIECE) even.update(data.subarray(o, o + PIECE));
    const uneven = subtreeHasher(tree, 8 * MiB);
    for (const [a, b] of [
      [0, 1000],
      [1000, MiB + 5],
      [MiB + 5, 3 * MiB],
      [3 * MiB, data.length],
    ] as const)
      uneven.update(data.subarray(a, b));
    const a = hex(even.digest());
    expect(hex(uneven.digest())).toBe(a);
    // a different position in the file is a different chaining value
    const elsewhere = subtreeHasher(tree, 0);
    elsewhere.update(data);
    expect(hex(elsewhere.digest())).not.toBe(a);
  });

  it('a range task reports a file that changed size', async () => {
    const e = await blake3Engine();
    const dir = tempDir();
    const path = join(dir, 'w');
    writeFileSync(path, randomBytes(3 * MiB));
    const task: ReadTask = {
      path,
      name: 'w',
      start: MiB,
      end: 2 * MiB,
      expectedSize: 4 * MiB,
      subtree: true,
    };
    expect(() => hashTask(task, { ...e.factory, tree: e.tree }, new Uint8Array(MiB))).toThrow(
      expect.objectContaining({ code: 'FILE_CHANGED_WHILE_HASHING' }),
    );
  });

  it('a mapped range past the end of the file (truncated while hashed) is reported, not a crash', async () => {
    const { tree } = await blake3Engine();
    if (!tree?.subtreeCvFd) throw new Error('no mapped ranges');
    const path = join(tempDir(), 'w');
    const data = randomBytes(3 * MiB);
    writeFileSync(path, data);
    const fd = openSync(path, 'r');
    try {
      const out = new Uint8Array(32);
      // the kernel maps past EOF, and the first access there raises SIGBUS: the addon catches it
      expect(tree.subtreeCvFd(fd, 2 * MiB, 2 * MiB, 2048, out)).toBe(1);
      // and the thread goes on working: the same range within the file matches the read path
      expect(tree.subtreeCvFd(fd, 2 * MiB, MiB, 2048, out)).toBe(0);
      const read = subtreeHasher(tree, 2 * MiB);
      read.update(data.subarray(2 * MiB));
      expect(hex(out)).toBe(hex(read.digest()));
    } finally {
      closeSync(fd);
    }
  });
});
