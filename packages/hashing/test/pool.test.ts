import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { closeSync, ftruncateSync, mkdirSync, openSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { subjectDigestOf } from '@modelseal/manifest';
import { afterAll, describe, expect, it } from 'vitest';
import { hasherFactory } from '../src/hasher.ts';
import { hashModel, prestartWorkers } from '../src/index.ts';
import { startPool } from '../src/pool.ts';
import { spawnWorkers, type ThreadFailure, takeSpare } from '../src/threads.ts';
import { cleanupTempDirs, files, opts, rejection, shards, tempDir } from './helpers.ts';

afterAll(cleanupTempDirs);

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Enough files that hashModel hands them to worker threads rather than hashing inline. */
function dataset(count: number) {
  const dir = tempDir();
  const contents = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    const rel = `part-${i % 7}/sample-${i}.txt`;
    mkdirSync(join(dir, `part-${i % 7}`), { recursive: true });
    const data = randomBytes(i % 5 === 0 ? 0 : 1 + (i % 3000));
    writeFileSync(join(dir, rel), data);
    contents.set(rel, data);
  }
  return { dir, contents };
}

describe('hashModel with worker threads', () => {
  it('hashes 500 files in 2 workers exactly like the single-threaded path and a one-shot hash', async () => {
    const { dir, contents } = dataset(500);
    const pooled = await hashModel(dir, opts(files(), { concurrency: 2 }));
    const inline = await hashModel(dir, opts(files(), { concurrency: 1 }));
    expect(pooled).toEqual(inline);
    expect(pooled.resources).toHaveLength(500);
    for (const r of pooled.resources) expect(r.digest).toBe(sha256(contents.get(r.name)!));
    // hashModel's subject (from raw digests, permuted into canonical order) = the one from the hex
    expect(pooled.subjectDigest).toBe(subjectDigestOf(pooled.resources));
  });

  it.each(['sha256', 'blake2b', 'blake3'] as const)(
    '%s shards of a 40 MiB file match the inline result',
    async (type) => {
      const dir = tempDir();
      const data = randomBytes(40 << 20);
      writeFileSync(join(dir, 'w.bin'), data);
      writeFileSync(join(dir, 'cfg.json'), '{}');
      if (type === 'blake3') writeFileSync(join(dir, 'w2.bin'), data.subarray(0, 1 << 20));
      const s = type === 'blake3' ? files(type) : shards(7_000_000, type);
      const pooled = await hashModel(dir, opts(s, { concurrency: 2 }));
      const inline = await hashModel(dir, opts(s, { concurrency: 1 }));
      expect(pooled).toEqual(inline);
      if (type === 'sha256')
        expect(pooled.resources.at(-1)).toMatchObject({
          name: `w.bin:35000000:${40 << 20}`,
          digest: sha256(data.subarray(35_000_000)),
        });
    },
  );

  it('a prestarted pool is adopted by the next hash and gives the same manifest', async () => {
    const { dir } = dataset(400);
    prestartWorkers(2);
    const pooled = await hashModel(dir, opts(files(), { concurrency: 2 }));
    // taken by that hash: nothing is left for anyone else
    expect(takeSpare(1)).toBeUndefined();
    const inline = await hashModel(dir, opts(files(), { concurrency: 1 }));
    expect(pooled).toEqual(inline);
  });

  it('an unused prestarted pool does not keep the process alive', () => {
    const index = new URL('../src/index.ts', import.meta.url).href;
    const r = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `(await import(${JSON.stringify(index)})).prestartWorkers(3); console.log('done');`,
      ],
      { encoding: 'utf8', timeout: 20_000 },
    );
    expect(r.signal).toBeNull();
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe('done');
  });

  it('a worker that dies before any pool takes it is reported to the pool that does', async () => {
    const s = spawnWorkers(1);
    await once(s.workers[0]!, 'online');
    await s.workers[0]!.terminate();
    await s.ended[0];
    const seen: ThreadFailure[] = [];
    s.listen((f) => seen.push(f));
    expect(seen).toEqual([{ kind: 'exited', code: 1 }]);
  });

  it('progress from the workers reaches the total', async () => {
    const { dir, contents } = dataset(300);
    const total = [...contents.values()].reduce((a, b) => a + b.length, 0);
    let last: [number, number] = [0, 0];
    await hashModel(dir, opts(files(), { concurrency: 2, onProgress: (d, t) => (last = [d, t]) }));
    expect(last).toEqual([total, total]);
  });

  it('a sparse 2 GiB file truncated while the workers hash it fails with FILE_CHANGED_WHILE_HASHING', async () => {
    const dir = tempDir();
    const path = join(dir, 'sparse.bin');
    const fd = openSync(path, 'w');
    ftruncateSync(fd, 2 * 1024 ** 3);
    closeSync(fd);
    writeFileSync(join(dir, 'other.bin'), randomBytes(1 << 20));
    let truncated = false;
    const e = await rejection(
      hashModel(dir, {
        serialization: files(),
        concurrency: 2,
        // progress is polled on the main thread while the workers read: truncate at the first report
        onProgress: (done) => {
          if (!truncated && done > 0 && done < 2 * 1024 ** 3) {
            truncateSync(path, 4096);
            truncated = true;
          }
        },
      }),
    );
    expect(truncated).toBe(true);
    expect(e.code).toBe('FILE_CHANGED_WHILE_HASHING');
    expect(e.kind).toBe('input');
    expect(e.message).toContain('"sparse.bin"');
  });

  it('an abort stops the workers', async () => {
    const dir = tempDir();
    const fd = openSync(join(dir, 'big'), 'w');
    ftruncateSync(fd, 4 * 1024 ** 3);
    closeSync(fd);
    writeFileSync(join(dir, 'small'), 'x');
    const ac = new AbortController();
    const started = Date.now();
    setTimeout(() => ac.abort(), 50);
    const e = await rejection(hashModel(dir, opts(files(), { concurrency: 2, signal: ac.signal })));
    expect((e as Error).name).toBe('AbortError');
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('an abort that comes between start() and finish() still stops the workers', async () => {
    const dir = tempDir();
    const fd = openSync(join(dir, 'big'), 'w');
    ftruncateSync(fd, 4 * 1024 ** 3);
    closeSync(fd);
    const ac = new AbortController();
    const pool = startPool(1);
    const started = Date.now();
    const running = pool.start({
      hashType: 'sha256',
      tasks: [
        { path: join(dir, 'big'), name: 'big' },
        { path: join(dir, 'big'), name: 'again' },
      ],
      digestBytes: 32,
      totalBytes: undefined,
      hasher: await hasherFactory('sha256'),
      signal: ac.signal,
    });
    // let the worker get into the 4 GiB file, then abort while nobody listens yet
    await new Promise((r) => setTimeout(r, 100));
    ac.abort();
    const e = await rejection(running.finish());
    expect((e as Error).name).toBe('AbortError');
    expect(Date.now() - started).toBeLessThan(1500);
  });
});
