import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hashModel } from '../src/index.ts';
import { type NativeHasher, nativeHasher, runEncoded } from '../src/native.ts';
import { STREAM_EVERY } from '../src/native-stream.ts';
import { hashTree } from '../src/native-tree.ts';
import { walkModel } from '../src/walk.ts';
import { cleanupTempDirs, files, opts, tempDir } from './helpers.ts';

afterAll(cleanupTempDirs);

async function native(): Promise<NativeHasher> {
  const n = await nativeHasher('sha256');
  if (!n) throw new Error('the native batch addon was not built (pnpm install builds it with node-gyp)');
  return n;
}

/**
 * Names whose orders differ: UTF-16 puts U+1F600 (a surrogate pair) before U+FF61, code points
 * (and UTF-8 bytes) after; 'a' sorts before 'a.txt' but its files come first depth first.
 */
const NAMES = [
  'a/x',
  'a.txt',
  'a-b',
  'B',
  'b',
  '\uFF61',
  '\u{1F600}',
  'é',
  'e\u0301',
  'z/y/x/w',
  'z/y/v',
  '.hidden',
];

function tree(names: readonly string[] = NAMES): string {
  const dir = tempDir('ms-ntree-');
  for (const n of names) {
    const p = join(dir, n);
    mkdirSync(join(p, '..'), { recursive: true });
    writeFileSync(p, `bytes of ${n}`);
  }
  return dir;
}

/** the names the addon lists, through the path hashModel takes */
async function listed(dir: string, ignore: readonly string[] = []): Promise<readonly string[] | undefined> {
  return (await hashTree(await native(), dir, new Set(ignore), { threads: 2 }))?.names;
}

/** lists `dir` in one listNext call, lets `change` alter the tree, then hashes the listing (one thread) */
async function hashAfter(dir: string, change: () => void): Promise<Uint8Array> {
  const { addon, hashType } = await native();
  const h = addon.listOpen(dir, null);
  if (typeof h === 'string') throw new Error(h);
  const r = addon.listNext(h, 1e6);
  if (typeof r === 'string' || !r[2]) throw new Error(`not listed at once: ${r}`);
  const [encoded, count] = r;
  const names = Buffer.from(encoded).toString('utf8').split('\0');
  change();
  const run = { hashType, threads: 1, totalBytes: undefined };
  return runEncoded(addon, run, { paths: encoded, count, ranges: null, root: dir }, (i) => ({
    name: names[i]!,
    path: join(dir, names[i]!),
  }));
}

const jsNames = (dir: string, ignore: readonly string[] = []) =>
  walkModel(dir, { ignore: new Set(ignore), allowSymlinks: false }).files.map((f) => f.name);

describe('the addon lists a plain tree as walk.ts does', () => {
  it('the same names in the same (code point, depth-first) order', async () => {
    const dir = tree();
    const names = await listed(dir);
    expect(names).toEqual(jsNames(dir));
    expect(names!.indexOf('\uFF61')).toBeLessThan(names!.indexOf('\u{1F600}'));
    expect(names!.slice(0, 2)).toEqual(['.hidden', 'B']);
  });

  it('ignore paths skip a file, a folder and all below it, and only at their own level', async () => {
    const dir = tree([...NAMES, 'x/z/y/deep', 'y/z']);
    const ignore = ['a', 'z/y/v', 'x/z', 'model.sig', 'no/such', 'with\0nul', 'z'];
    const names = await listed(dir, ignore);
    expect(names).toEqual(jsNames(dir, ignore));
    expect(names).toContain('y/z');
    expect(names!.some((n) => n.startsWith('a/') || n.startsWith('x/z') || n === 'z')).toBe(false);
  });

  it('an empty folder, and empty subfolders, list nothing', async () => {
    const dir = tempDir('ms-ntree-');
    expect(await listed(dir)).toEqual([]);
    mkdirSync(join(dir, 'e', 'f'), { recursive: true });
    expect(await listed(dir)).toEqual([]);
  });

  it('a tree 300 folders deep', async () => {
    const deep = Array.from({ length: 300 }, (_, i) => `d${i % 10}`).join('/');
    const dir = tree([`${deep}/leaf`, 'top']);
    expect(await listed(dir)).toEqual([`${deep}/leaf`, 'top']);
  });

  it('each digest is what Node computes for the file of that name, over several batches', async () => {
    const dir = tree([...NAMES, ...Array.from({ length: 2 * STREAM_EVERY }, (_, i) => `m/${i}`)]);
    const t = (await hashTree(await native(), dir, new Set(), { threads: 2 }))!;
    const digests = Buffer.from(t.digests);
    expect(digests.length).toBe(32 * t.names.length);
    t.names.forEach((name, i) => {
      expect(digests.subarray(i * 32, (i + 1) * 32).toString('hex'), name).toBe(
        createHash('sha256').update(`bytes of ${name}`).digest('hex'),
      );
    });
  });

  it('hashModel gives the manifest the JS walk and threads give, many files included', async () => {
    const names = [...NAMES, ...Array.from({ length: STREAM_EVERY + 50 }, (_, i) => `many/f${i}`)];
    const dir = tree(names);
    const js = await hashModel(dir, opts(files(), { nativeHashing: false }));
    expect(await hashModel(dir, opts(files()))).toEqual(js);
    expect(js.resources).toHaveLength(names.length);
  });
});

describe('at what walk.ts has a rule or an error for, the addon stops and walk.ts decides', () => {
  const stops = async (dir: string) => expect(await listed(dir)).toBeUndefined();

  it('a symbolic link: the listing stops; refused, or followed when allowed, as before', async () => {
    const dir = tree();
    symlinkSync(join(dir, 'b'), join(dir, 'z', 'link'));
    await stops(dir);
    await expect(hashModel(dir, opts(files()))).rejects.toMatchObject({ code: 'SYMLINK_REFUSED' });
    const js = await hashModel(dir, opts(files('sha256', { allowSymlinks: true }), { nativeHashing: false }));
    expect(await hashModel(dir, opts(files('sha256', { allowSymlinks: true })))).toEqual(js);
    expect(js.resources.map((r) => r.name)).toContain('z/link');
  });

  it('a FIFO: SPECIAL_FILE, without hanging', async () => {
    const dir = tree();
    execFileSync('mkfifo', [join(dir, 'a', 'pipe')]);
    await stops(dir);
    await expect(hashModel(dir, opts(files()))).rejects.toMatchObject({ code: 'SPECIAL_FILE' });
  });

  it('a name that is not UTF-8: BAD_FILE_NAME', async () => {
    const dir = tree();
    // Node cannot write such a name itself; the shell's printf can
    execFileSync('sh', ['-c', `touch "$(printf '${dir}/bad\\377name')"`]);
    await stops(dir);
    await expect(hashModel(dir, opts(files()))).rejects.toMatchObject({ code: 'BAD_FILE_NAME' });
  });

  it('a path longer than PATH_MAX', async () => {
    const dir = tempDir('ms-ntree-');
    const part = 'p'.repeat(200);
    let rel = '';
    // built by renaming short-named folders: no single path passed to a syscall is too long
    for (let i = 0; i < 22; i++) {
      mkdirSync(join(dir, 'tmp'));
      writeFileSync(join(dir, 'tmp', 'f'), 'f');
      if (rel) renameSync(join(dir, rel.split('/')[0]!), join(dir, 'tmp', part));
      renameSync(join(dir, 'tmp'), join(dir, part));
      rel = rel ? `${part}/${rel}` : part;
    }
    await stops(dir);
    // walk.ts then meets the same tree and answers with a code (which one is the OS's to say)
    await expect(hashModel(dir, opts(files()))).rejects.toHaveProperty('code');
  });

  it('a model path that does not exist or is a file: no listing; hashModel says what it is', async () => {
    const dir = tree();
    await stops(join(dir, 'nothing-here'));
    await expect(hashModel(join(dir, 'nothing-here'), opts(files()))).rejects.toMatchObject({
      code: 'MODEL_NOT_FOUND',
    });
    await stops(join(dir, 'b'));
  });

  it('a file that vanishes between the listing and its hashing: FILE_VANISHED naming it', async () => {
    const dir = tree();
    await expect(hashAfter(dir, () => rmSync(join(dir, 'z', 'y', 'v')))).rejects.toMatchObject({
      code: 'FILE_VANISHED',
      details: { name: 'z/y/v' },
    });
  });

  it('a folder swapped for a symbolic link after the listing: SYMLINK_REFUSED, nothing outside is read', async () => {
    const dir = tree();
    const outside = tree(['y/v']); // another folder with a file of the same relative name
    const swap = () => {
      rmSync(join(dir, 'z'), { recursive: true });
      symlinkSync(outside, join(dir, 'z'));
    };
    await expect(hashAfter(dir, swap)).rejects.toMatchObject({
      code: 'SYMLINK_REFUSED',
      details: { name: 'z/y/v' },
    });
  });

  it('an abort before or while the tree is hashed rejects with an AbortError', async () => {
    const dir = tree(Array.from({ length: 3 * STREAM_EVERY }, (_, i) => `m/${i}`));
    const before = new AbortController();
    before.abort();
    await expect(
      hashTree(await native(), dir, new Set(), { threads: 2, signal: before.signal }),
    ).rejects.toMatchObject({ name: 'AbortError' });
    const during = new AbortController();
    const p = hashModel(dir, opts(files(), { signal: during.signal }));
    during.abort();
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('listOpen() and listNext(): hostile arguments are refused with a thrown error', () => {
  it.each([
    ['no arguments', []],
    ['a root that is not a string', [42, null]],
    ['an empty root', ['', null]],
    ['a root with a NUL in it', ['/tmp\0/etc', null]],
    ['a root longer than PATH_MAX', [`/${'r'.repeat(5000)}`, null]],
    ['ignore paths without a final NUL', ['/tmp', Buffer.from('a')]],
    ['ignore paths that are not bytes', ['/tmp', 'a\0']],
    ['ignore paths as a wider typed array', ['/tmp', new Uint16Array([97, 0])]],
  ])('listOpen: %s', async (_, args) => {
    const { addon } = await native();
    expect(() => (addon.listOpen as (...a: unknown[]) => unknown)(...args)).toThrow(
      /list: invalid arguments/,
    );
  });

  it('listOpen: a root that is not a folder is a reason, not a handle', async () => {
    const { addon } = await native();
    const dir = tree();
    expect(addon.listOpen(join(dir, 'b'), null)).toMatch(/could not be opened/);
    expect(addon.listOpen(join(dir, 'none'), null)).toMatch(/could not be opened/);
  });

  it.each([
    ['a plain object for the handle', () => ({}), 10],
    ['a number for the handle', () => 7, 10],
    ['a max of zero', undefined, 0],
    ['a fractional max', undefined, 1.5],
    ['a negative max', undefined, -3],
    ['a max past 2^32', undefined, 2 ** 33],
    ['a max that is not a number', undefined, '10'],
  ])('listNext: %s', async (_, handle, max) => {
    const { addon } = await native();
    const h = handle ? handle() : addon.listOpen(tree(), null);
    expect(() => (addon.listNext as (...a: unknown[]) => unknown)(h, max)).toThrow(/list: invalid arguments/);
  });

  it('listNext: one file per call walks the whole tree in order, then stays done', async () => {
    const { addon } = await native();
    const dir = tree();
    const h = addon.listOpen(dir, null);
    if (typeof h === 'string') throw new Error(h);
    const seen: string[] = [];
    for (let i = 0; i < 100; i++) {
      const r = addon.listNext(h, 1);
      if (typeof r === 'string') throw new Error(r);
      if (r[1] > 0) seen.push(Buffer.from(r[0]).toString('utf8', 0, r[0].length - 1));
      if (r[2]) break;
    }
    expect(seen).toEqual(jsNames(dir));
    expect(addon.listNext(h, 5)).toEqual([expect.any(Uint8Array), 0, true]);
  });
});
