import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hashModel } from '../src/index.ts';
import { type NativeHasher, nativeHasher } from '../src/native.ts';
import { STREAM_EVERY } from '../src/native-stream.ts';
import { hashListing, listTree } from '../src/native-tree.ts';
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

const jsNames = (dir: string, ignore: readonly string[] = []) =>
  walkModel(dir, { ignore: new Set(ignore), allowSymlinks: false }).files.map((f) => f.name);

describe('the addon lists a plain tree as walk.ts does', () => {
  it('the same names in the same (code point, depth-first) order', async () => {
    const dir = tree();
    const listing = listTree(await native(), dir, new Set());
    expect(listing?.names).toEqual(jsNames(dir));
    expect(listing?.names.indexOf('\uFF61')).toBeLessThan(listing!.names.indexOf('\u{1F600}'));
    expect(listing?.names.slice(0, 2)).toEqual(['.hidden', 'B']);
  });

  it('ignore paths skip a file, a folder and all below it, and only at their own level', async () => {
    const dir = tree([...NAMES, 'x/z/y/deep', 'y/z']);
    const ignore = ['a', 'z/y/v', 'x/z', 'model.sig', 'no/such', 'with\0nul', 'z'];
    const listing = listTree(await native(), dir, new Set(ignore));
    expect(listing?.names).toEqual(jsNames(dir, ignore));
    expect(listing?.names).toContain('y/z');
    expect(listing?.names.some((n) => n.startsWith('a/') || n.startsWith('x/z') || n === 'z')).toBe(false);
  });

  it('an empty folder, and empty subfolders, list nothing', async () => {
    const dir = tempDir('ms-ntree-');
    expect(listTree(await native(), dir, new Set())?.names).toEqual([]);
    mkdirSync(join(dir, 'e', 'f'), { recursive: true });
    expect(listTree(await native(), dir, new Set())?.names).toEqual([]);
  });

  it('a tree 300 folders deep', async () => {
    const deep = Array.from({ length: 300 }, (_, i) => `d${i % 10}`).join('/');
    const dir = tree([`${deep}/leaf`, 'top']);
    expect(listTree(await native(), dir, new Set())?.names).toEqual([`${deep}/leaf`, 'top']);
  });

  it('the listing hashes to the digests Node computes, through the folder the names are relative to', async () => {
    const dir = tree();
    const n = await native();
    const listing = listTree(n, dir, new Set())!;
    const digests = Buffer.from(await hashListing(n, listing, { threads: 2 }));
    listing.names.forEach((name, i) => {
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
  const stops = async (dir: string) => expect(listTree(await native(), dir, new Set())).toBeUndefined();

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
    const n = await native();
    const listing = listTree(n, dir, new Set())!;
    rmSync(join(dir, 'z', 'y', 'v'));
    await expect(hashListing(n, listing, { threads: 2 })).rejects.toMatchObject({
      code: 'FILE_VANISHED',
      details: { name: 'z/y/v' },
    });
  });
});

describe('list(): hostile arguments are refused with a thrown error, never read past a buffer', () => {
  it.each([
    ['no arguments', []],
    ['a root that is not a string', [42, null]],
    ['an empty root', ['', null]],
    ['a root with a NUL in it', ['/tmp\0/etc', null]],
    ['a root longer than PATH_MAX', [`/${'r'.repeat(5000)}`, null]],
    ['ignore paths without a final NUL', ['/tmp', Buffer.from('a')]],
    ['ignore paths that are not bytes', ['/tmp', 'a\0']],
    ['ignore paths as a wider typed array', ['/tmp', new Uint16Array([97, 0])]],
  ])('%s', async (_, args) => {
    const { addon } = await native();
    expect(() => (addon.list as (...a: unknown[]) => unknown)(...args)).toThrow(/list: invalid arguments/);
  });

  it('start() with a root that is not a string, or holds a NUL, is refused too', async () => {
    const { addon } = await native();
    for (const root of [7, '', '/tmp\0x']) {
      expect(() =>
        (addon.start as (...a: unknown[]) => unknown)(
          Buffer.from('a\0'),
          1,
          null,
          'sha256',
          new Uint8Array(32),
          new Int32Array(1),
          new BigInt64Array(1),
          1,
          () => {},
          root,
        ),
      ).toThrow(/hash batch: invalid arguments/);
    }
  });
});
