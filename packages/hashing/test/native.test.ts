import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { codeOf } from '../../../test/codes.ts';
import { hashModel } from '../src/index.ts';
import { nativeHasher, runBatch } from '../src/native.ts';
import { nativeBatch } from '../src/native-load.ts';
import { STREAM_EVERY } from '../src/native-stream.ts';
import type { ReadTask } from '../src/read.ts';
import { cleanupTempDirs, files, opts, shards, tempDir } from './helpers.ts';

afterAll(cleanupTempDirs);

const MiB = 1 << 20;
/** sizes around the addon's 1 MiB read and the +1-byte EOF probe */
const SIZES = [0, 1, 4095, 4096, 4097, MiB - 1, MiB, MiB + 1, 3 * MiB + 17];

function variedModel(): { dir: string; bytes: Map<string, Buffer> } {
  const dir = tempDir('ms-native-');
  const bytes = new Map<string, Buffer>();
  mkdirSync(join(dir, 'sub', 'deeper'), { recursive: true });
  SIZES.forEach((n, i) => {
    const name = i % 3 === 0 ? `f${i}.bin` : i % 3 === 1 ? `sub/f${i}.bin` : `sub/deeper/f${i}.bin`;
    const b = randomBytes(n);
    writeFileSync(join(dir, name), b);
    bytes.set(name, b);
  });
  for (let i = 0; i < 300; i++) {
    const b = randomBytes(i * 7);
    writeFileSync(join(dir, 'sub', `small-${i}`), b);
    bytes.set(`sub/small-${i}`, b);
  }
  return { dir, bytes };
}

const addon = () => {
  const a = nativeBatch();
  if (!a) throw new Error('the native batch addon was not built (pnpm install builds it with node-gyp)');
  return a;
};

describe('native batch hashing', () => {
  it('is built and passes its self-test on this machine (CI builds it at install)', async () => {
    expect(nativeBatch()).toBeDefined();
    expect(await nativeHasher('sha256')).toBeDefined();
    expect(await nativeHasher('blake3')).toBeUndefined();
  });

  it.each(['sha256', 'blake2b'] as const)(
    '%s: every file digest equals Node crypto on its bytes',
    async (type) => {
      const { dir, bytes } = variedModel();
      const m = await hashModel(dir, opts(files(type)));
      expect(m.resources).toHaveLength(bytes.size);
      const alg = type === 'sha256' ? 'sha256' : 'blake2b512';
      for (const r of m.resources) {
        expect(r.digest, r.name).toBe(createHash(alg).update(bytes.get(r.name)!).digest('hex'));
      }
    },
  );

  it.each([
    ['files sha256', files('sha256')],
    ['files blake2b', files('blake2b')],
    ['shards sha256', shards(MiB / 2 + 3)],
    ['shards blake2b', shards(4096, 'blake2b')],
  ] as const)('%s: the same manifest as the JS threads, on 1 and 2 threads', async (_, s) => {
    const { dir } = variedModel();
    const js = await hashModel(dir, opts(s, { nativeHashing: false }));
    for (const concurrency of [1, 2]) {
      expect(await hashModel(dir, opts(s, { concurrency }))).toEqual(js);
    }
  });

  it('a single file, and an empty directory', async () => {
    const dir = tempDir('ms-native-');
    writeFileSync(join(dir, 'w'), 'weights');
    const one = await hashModel(join(dir, 'w'), opts(files()));
    expect(one.resources).toEqual([
      { name: '.', algorithm: 'sha256', digest: createHash('sha256').update('weights').digest('hex') },
    ]);
    const empty = tempDir('ms-native-');
    expect((await hashModel(empty, opts(files()))).resources).toEqual([]);
  });

  it('reports progress up to the total', async () => {
    const { dir, bytes } = variedModel();
    let total = 0;
    for (const b of bytes.values()) total += b.length;
    const seen: [number, number][] = [];
    await hashModel(dir, opts(files(), { onProgress: (d, t) => seen.push([d, t]) }));
    expect(seen.at(-1)).toEqual([total, total]);
  });

  it('an abort stops the batch with an AbortError', async () => {
    const { dir } = variedModel();
    const before = new AbortController();
    before.abort();
    await expect(hashModel(dir, opts(files(), { signal: before.signal }))).rejects.toThrow(/abort/i);
    const tasks: ReadTask[] = Array.from({ length: 20_000 }, (_, i) => ({
      path: join(dir, 'f0.bin'),
      name: `n${i}`,
    }));
    const during = new AbortController();
    const run = runBatch(addon(), {
      hashType: 'sha256',
      tasks,
      threads: 2,
      totalBytes: undefined,
      signal: during.signal,
    });
    during.abort();
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('native batch hashing: files that changed after the walk get read.ts codes', () => {
  const one = (path: string, extra: Partial<ReadTask> = {}) =>
    runBatch(addon(), {
      hashType: 'sha256',
      tasks: [
        { path: join(tempDir('ms-native-'), 'ok'), name: 'ok' },
        { path, name: 'victim', ...extra },
      ].filter((t) => t.name === 'victim'),
      threads: 1,
      totalBytes: undefined,
    });

  it('vanished: FILE_VANISHED, naming the resource', async () => {
    const dir = tempDir('ms-native-');
    const p = one(join(dir, 'gone'));
    await expect(p).rejects.toMatchObject({ code: 'FILE_VANISHED', details: { name: 'victim' } });
  });

  it('became a symbolic link: SYMLINK_REFUSED (O_NOFOLLOW), not followed', async () => {
    const dir = tempDir('ms-native-');
    writeFileSync(join(dir, 'target'), 'secret');
    symlinkSync(join(dir, 'target'), join(dir, 'link'));
    await expect(one(join(dir, 'link'))).rejects.toMatchObject({ code: 'SYMLINK_REFUSED' });
  });

  it('became a FIFO or a directory: SPECIAL_FILE, without hanging', async () => {
    const dir = tempDir('ms-native-');
    execFileSync('mkfifo', [join(dir, 'pipe')]);
    await expect(one(join(dir, 'pipe'))).rejects.toMatchObject({ code: 'SPECIAL_FILE' });
    await expect(one(dir)).rejects.toMatchObject({ code: 'SPECIAL_FILE' });
  });

  it('a size other than the plan expected: FILE_CHANGED_WHILE_HASHING with both sizes', async () => {
    const dir = tempDir('ms-native-');
    writeFileSync(join(dir, 'w'), randomBytes(100));
    await expect(one(join(dir, 'w'), { expectedSize: 99, start: 0, end: 99 })).rejects.toMatchObject({
      code: 'FILE_CHANGED_WHILE_HASHING',
      details: { name: 'victim', expected: 99, actual: 100 },
    });
  });

  it('one failure among many stops the batch and names that file', async () => {
    const { dir } = variedModel();
    const tasks: ReadTask[] = [...Array(500).keys()].map((i) => ({
      path: i === 250 ? join(dir, 'missing') : join(dir, 'sub', `small-${i % 300}`),
      name: `r${i}`,
    }));
    await expect(
      runBatch(addon(), { hashType: 'sha256', tasks, threads: 2, totalBytes: undefined }),
    ).rejects.toMatchObject({
      code: 'FILE_VANISHED',
      details: { name: 'r250' },
    });
  });
});

describe('native batch addon: hostile arguments are refused, never read past a buffer', () => {
  const dir = tempDir('ms-native-');
  writeFileSync(join(dir, 'a'), 'a');
  const paths = Buffer.from(`${join(dir, 'a')}\0`);
  const ok = () =>
    [
      paths,
      new Uint32Array([0]),
      null,
      'sha256',
      new Uint8Array(32),
      new Int32Array(1),
      new BigInt64Array(1),
      1,
      () => {},
    ] as const;
  type Args = Parameters<ReturnType<typeof addon>['start']>;
  const call = (patch: (a: unknown[]) => void) => () => {
    const a: unknown[] = [...ok()];
    patch(a);
    addon().start(...(a as unknown as Args));
  };

  it.each([
    ['more names announced than given', (a: unknown[]) => (a[1] = 2)],
    [
      'fewer names announced than given',
      (a: unknown[]) => (a[0] = Buffer.from(`${join(dir, 'a')}\0${join(dir, 'a')}\0`)),
    ],
    ['a count that is not a whole number', (a: unknown[]) => (a[1] = 0.5)],
    ['a negative count', (a: unknown[]) => (a[1] = -1)],
    ['names without a final NUL', (a: unknown[]) => (a[0] = Buffer.from(join(dir, 'a')))],
    ['no names at all', (a: unknown[]) => (a[0] = new Uint8Array(0))],
    ['a count of the wrong type', (a: unknown[]) => (a[1] = [1])],
    ['ranges too short', (a: unknown[]) => (a[2] = new Float64Array(2))],
    ['an unknown algorithm', (a: unknown[]) => (a[3] = 'md5')],
    ['a digest array too small', (a: unknown[]) => (a[4] = new Uint8Array(31))],
    ['no stop flag', (a: unknown[]) => (a[5] = new Uint8Array(4))],
    ['no progress counter', (a: unknown[]) => (a[6] = new Float64Array(1))],
    ['zero threads', (a: unknown[]) => (a[7] = 0)],
    ['a thousand threads', (a: unknown[]) => (a[7] = 1000)],
    ['no callback', (a: unknown[]) => (a[8] = 'later')],
    ['too few arguments', (a: unknown[]) => a.splice(3)],
    ['a root that is not a string', (a: unknown[]) => a.push(7)],
    ['an empty root', (a: unknown[]) => a.push('')],
    ['a root with a NUL in it', (a: unknown[]) => a.push(`${dir}\0x`)],
    ['too many arguments', (a: unknown[]) => a.push(null, null)],
  ])('%s', (_, patch) => {
    expect(codeOf(call(patch))).toBe('thrown:Error');
    expect(call(patch)).toThrow(/hash batch|arguments/);
  });

  it('the same call, well formed, hashes the file: by its path, or by its name under a root', async () => {
    const want = createHash('sha256')
      .update(readFileSync(join(dir, 'a')))
      .digest('hex');
    for (const [names, root] of [
      [paths, null],
      [Buffer.from('a\0'), dir],
    ] as const) {
      const digests = new Uint8Array(32);
      const failure = await new Promise((resolve) =>
        addon().start(
          names,
          1,
          null,
          'sha256',
          digests,
          new Int32Array(1),
          new BigInt64Array(1),
          1,
          resolve,
          root,
        ),
      );
      expect(failure).toBeNull();
      expect(Buffer.from(digests).toString('hex')).toBe(want);
    }
  });
});

describe('native batches started while the walk goes on', () => {
  function manyFiles(n: number): string {
    const dir = tempDir('ms-native-');
    mkdirSync(join(dir, 'a'));
    for (let i = 0; i < n; i++) writeFileSync(join(dir, 'a', `f${i}`), `file ${i}`);
    return dir;
  }

  it('give the manifest the JS threads give (more files than one batch)', async () => {
    const dir = manyFiles(STREAM_EVERY + 900);
    mkdirSync(join(dir, 'b'));
    writeFileSync(join(dir, 'b', 'last'), 'last');
    // a symbolic link: the addon does not list this tree, walk.ts walks it and streams batches
    symlinkSync(join(dir, 'b', 'last'), join(dir, 'b', 'link'));
    const s = files('sha256', { allowSymlinks: true });
    const js = await hashModel(dir, opts(s, { nativeHashing: false }));
    expect(await hashModel(dir, opts(s))).toEqual(js);
    expect(js.resources).toHaveLength(STREAM_EVERY + 902);
  });

  it('a walk that fails after batches started fails with its own code, and leaves nothing running', async () => {
    const dir = manyFiles(STREAM_EVERY + 10);
    mkdirSync(join(dir, 'z'));
    execFileSync('mkfifo', [join(dir, 'z', 'pipe')]);
    await expect(hashModel(dir, opts(files()))).rejects.toMatchObject({ code: 'SPECIAL_FILE' });
  });

  it('an abort during the job rejects with an AbortError', async () => {
    const dir = manyFiles(STREAM_EVERY * 2);
    const ac = new AbortController();
    const p = hashModel(dir, opts(files(), { signal: ac.signal }));
    ac.abort();
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
  });
});
