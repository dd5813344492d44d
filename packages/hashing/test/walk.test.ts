import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { sortByResourceName } from '@modelseal/manifest';
import { afterAll, describe, expect, it } from 'vitest';
import { hashModel, walkModel } from '../src/index.ts';
import { cleanupTempDirs, files, opts, rejection, shards, tempDir } from './helpers.ts';

afterAll(cleanupTempDirs);

const sha256 = (b: string | Uint8Array) => createHash('sha256').update(b).digest('hex');
const names = async (dir: string, o = opts(files())) =>
  (await hashModel(dir, o)).resources.map((r) => r.name);

function tree(spec: Record<string, string>): string {
  const dir = tempDir();
  for (const [rel, content] of Object.entries(spec)) {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), content);
  }
  return dir;
}

describe('walkModel', () => {
  it('lists the files to hash, in no promised order, without the ignored paths', () => {
    const dir = tree({ 'a.bin': 'x', 'sub/b.bin': 'y', 'sub/skip/c.bin': 'z', 'skip.txt': 'w' });
    const w = walkModel(dir, { ignore: new Set(['sub/skip', 'skip.txt']), allowSymlinks: false });
    expect(w.single).toBe(false);
    expect(w.root).toBe(realpathSync(dir));
    expect(w.files.map((f) => [f.name, f.path]).sort()).toEqual([
      ['a.bin', join(w.root, 'a.bin')],
      ['sub/b.bin', join(w.root, 'sub/b.bin')],
    ]);
  });

  it('names a single-file model "."', () => {
    const dir = tree({ 'model.safetensors': 'x' });
    const w = walkModel(join(dir, 'model.safetensors'), { ignore: new Set(), allowSymlinks: false });
    expect(w).toEqual({
      root: realpathSync(join(dir, 'model.safetensors')),
      single: true,
      files: [{ name: '.', path: realpathSync(join(dir, 'model.safetensors')) }],
    });
  });
});

describe('ignore rules', () => {
  it('skips .git, .gitattributes, .github, .gitignore at the root only', async () => {
    const dir = tree({
      '.git/config': 'x',
      '.github/workflows/ci.yml': 'x',
      '.gitignore': 'x',
      '.gitattributes': 'x',
      'sub/.gitignore': 'x',
      'sub/.git/HEAD': 'x',
      '.hidden': 'x',
      a: 'x',
    });
    expect(await names(dir)).toEqual(['.hidden', 'a', 'sub/.git/HEAD', 'sub/.gitignore']);
  });

  it('includes git paths when ignoreGitPaths is false, and records no git ignore paths', async () => {
    const dir = tree({ '.gitignore': 'x', '.git/HEAD': 'y', a: 'z' });
    const m = await hashModel(dir, opts(files(), { ignoreGitPaths: false }));
    expect(m.resources.map((r) => r.name)).toEqual(['.git/HEAD', '.gitignore', 'a']);
    expect(m.serialization.ignorePaths).toEqual([]);
  });

  it('ignore paths skip a file, or a directory and all below it; they are recorded normalized', async () => {
    const dir = tree({
      'logs/a/b.txt': 'x',
      'logs.txt': 'x',
      'cache/x': 'x',
      'keep/cache/x': 'x',
      'm.sig': 's',
      w: 'w',
    });
    const m = await hashModel(
      dir,
      opts(files('sha256', { ignorePaths: ['./logs/', 'keep//cache'] }), {
        extraIgnore: ['m.sig', '/elsewhere/b.sig'],
      }),
    );
    expect(m.resources.map((r) => r.name)).toEqual(['cache/x', 'logs.txt', 'w']);
    expect(m.serialization.ignorePaths).toEqual([
      '.git',
      '.gitattributes',
      '.github',
      '.gitignore',
      'keep/cache',
      'logs',
      'm.sig',
    ]);
  });

  it('an absolute extraIgnore inside the model is made relative', async () => {
    const dir = tree({ 'model.sig': 's', w: 'w' });
    expect(await names(dir, opts(files(), { extraIgnore: [join(dir, 'model.sig')] }))).toEqual(['w']);
  });

  it.each([
    ['../etc', 'BAD_IGNORE_PATH'],
    ['a/../../b', 'BAD_IGNORE_PATH'],
    ['/etc/passwd', 'BAD_IGNORE_PATH'],
    ['a\0b', 'BAD_IGNORE_PATH'],
    ['.', 'BAD_IGNORE_PATH'],
    ['', 'BAD_IGNORE_PATH'],
  ])('refuses the ignore path %j', async (p, code) => {
    const dir = tree({ a: 'x' });
    const e = await rejection(hashModel(dir, opts(files('sha256', { ignorePaths: [p] }))));
    expect(e.code).toBe(code);
    expect(e.kind).toBe('usage');
  });
});

describe('symlinks', () => {
  it('are refused by default, naming the link', async () => {
    const dir = tree({ real: 'data' });
    symlinkSync('real', join(dir, 'link'));
    const e = await rejection(hashModel(dir, opts(files())));
    expect(e.code).toBe('SYMLINK_REFUSED');
    expect(e.message).toContain('"link"');
  });

  it('with allowSymlinks are hashed as their target content under the link name', async () => {
    const dir = tree({ 'sub/real': 'data' });
    symlinkSync('sub/real', join(dir, 'link'));
    const m = await hashModel(dir, opts(files('sha256', { allowSymlinks: true })));
    expect(m.resources).toEqual([
      { name: 'link', algorithm: 'sha256', digest: sha256('data') },
      { name: 'sub/real', algorithm: 'sha256', digest: sha256('data') },
    ]);
    expect(m.serialization.allowSymlinks).toBe(true);
  });

  it('a link to a directory inside the model is listed but not descended into (model_signing behaviour)', async () => {
    const dir = tree({ 'sub/real': 'data' });
    symlinkSync('sub', join(dir, 'alias'));
    expect(await names(dir, opts(files('sha256', { allowSymlinks: true })))).toEqual(['sub/real']);
  });

  it('a link leaving the model is refused even with allowSymlinks', async () => {
    const outside = tree({ secret: 'x' });
    const dir = tree({ a: 'x' });
    symlinkSync(join(outside, 'secret'), join(dir, 'escape'));
    const e = await rejection(hashModel(dir, opts(files('sha256', { allowSymlinks: true }))));
    expect(e.code).toBe('SYMLINK_ESCAPES_ROOT');
    const up = tree({ a: 'x' });
    symlinkSync('..', join(up, 'parent'));
    expect((await rejection(hashModel(up, opts(files('sha256', { allowSymlinks: true }))))).code).toBe(
      'SYMLINK_ESCAPES_ROOT',
    );
  });

  it('a broken or looping link is an error', async () => {
    const dir = tree({ a: 'x' });
    symlinkSync('nothing-here', join(dir, 'dangling'));
    expect((await rejection(hashModel(dir, opts(files('sha256', { allowSymlinks: true }))))).code).toBe(
      'BROKEN_SYMLINK',
    );
    const loop = tree({ a: 'x' });
    symlinkSync('l2', join(loop, 'l1'));
    symlinkSync('l1', join(loop, 'l2'));
    expect((await rejection(hashModel(loop, opts(files('sha256', { allowSymlinks: true }))))).code).toBe(
      'BROKEN_SYMLINK',
    );
  });

  it('a symlinked model root is followed (the user named it)', async () => {
    const dir = tree({ a: 'x' });
    const holder = tempDir();
    symlinkSync(dir, join(holder, 'model'));
    const m = await hashModel(join(holder, 'model'), opts(files()));
    expect(m.resources.map((r) => r.name)).toEqual(['a']);
    expect(m.modelName).toBe('model');
  });
});

describe('special files and names', () => {
  it('a FIFO is an error, not a hang', async () => {
    const dir = tree({ a: 'x' });
    execFileSync('mkfifo', [join(dir, 'pipe')]);
    const e = await rejection(hashModel(dir, opts(files())));
    expect(e.code).toBe('SPECIAL_FILE');
    expect(e.message).toContain('"pipe"');
  });

  it('a socket is an error', async () => {
    const dir = tree({ a: 'x' });
    const server = createServer();
    await new Promise<void>((res) => server.listen(join(dir, 'sock'), res));
    try {
      expect((await rejection(hashModel(dir, opts(shards(10))))).code).toBe('SPECIAL_FILE');
    } finally {
      await new Promise((res) => server.close(res));
    }
  });

  it('a FIFO inside an ignored directory is not looked at', async () => {
    const dir = tree({ a: 'x', 'tmp/keep': 'y' });
    execFileSync('mkfifo', [join(dir, 'tmp', 'pipe')]);
    expect(await names(dir, opts(files('sha256', { ignorePaths: ['tmp'] })))).toEqual(['a']);
  });

  it('a device given as the model path is an error', async () => {
    expect((await rejection(hashModel('/dev/null', opts(files())))).code).toBe('SPECIAL_FILE');
  });

  it('a file name that is not valid UTF-8 is an error', async () => {
    const dir = tree({ a: 'x' });
    writeFileSync(Buffer.concat([Buffer.from(`${dir}/bad-`), Buffer.from([0xff, 0xfe])]), 'x');
    const e = await rejection(hashModel(dir, opts(files())));
    expect(e.code).toBe('BAD_FILE_NAME');
    expect(e.details).toMatchObject({
      bytes: Buffer.from([0x62, 0x61, 0x64, 0x2d, 0xff, 0xfe]).toString('hex'),
    });
  });

  it('genuine U+FFFD, spaces, colons, newlines and emoji in names are fine', async () => {
    const dir = tree({
      'rep\uFFFDlace': '1',
      'a b': '2',
      'c:d': '3',
      'new\nline': '4',
      '\u{1F600}': '5',
      ｚ: '6',
    });
    expect(await names(dir)).toEqual(['a b', 'c:d', 'new\nline', 'rep\uFFFDlace', 'ｚ', '\u{1F600}']);
  });

  it('a missing model path is NOT_FOUND; a NUL in it is a usage error', async () => {
    const e = await rejection(hashModel(join(tempDir(), 'nope'), opts(files())));
    expect(e.code).toBe('MODEL_NOT_FOUND');
    expect(e.kind).toBe('not_found');
    expect((await rejection(hashModel('a\0b', opts(files())))).code).toBe('BAD_MODEL_PATH');
  });

  it('rejects bad parameters with usage errors', async () => {
    const dir = tree({ a: 'x' });
    for (const [o, code] of [
      [opts(shards(0)), 'BAD_SHARD_SIZE'],
      [opts(shards(1.5)), 'BAD_SHARD_SIZE'],
      [opts(files('md5' as 'sha256')), 'BAD_HASH_TYPE'],
      [opts(files(), { concurrency: 0 }), 'BAD_CONCURRENCY'],
    ] as const) {
      const e = await rejection(hashModel(dir, o));
      expect(e.code).toBe(code);
      expect(e.kind).toBe('usage');
    }
  });
});

describe('walk order is the canonical order', () => {
  // prefixes, dots, digits, case, a BMP character above U+E000 and astral ones (where UTF-16 and
  // code point order disagree), a name that looks like a shard
  const NAMES = [
    'a',
    'a.b',
    'a-b',
    'A',
    'ab',
    'b',
    '\uFF01x',
    '\u{1F600}',
    '\u{1F600}a',
    'z:1:2',
    '10',
    '9',
    '_',
  ];

  it('files come out of walkModel as sortByResourceName orders them, nested at random', () => {
    for (let round = 0; round < 5; round++) {
      const dir = tempDir();
      const made: string[] = [];
      let seed = round + 1;
      const rand = (n: number) => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return seed % n;
      };
      for (let i = 0; i < 60; i++) {
        const depth = rand(3);
        const parts = Array.from({ length: depth + 1 }, () => NAMES[rand(NAMES.length)]!);
        const rel = parts.join('/');
        // a path already used as a folder (or a file) cannot be the other
        if (made.some((m) => m === rel || m.startsWith(`${rel}/`) || rel.startsWith(`${m}/`))) continue;
        mkdirSync(join(dir, ...parts.slice(0, -1)), { recursive: true });
        writeFileSync(join(dir, rel), rel);
        made.push(rel);
      }
      const walked = walkModel(dir, { ignore: new Set(), allowSymlinks: false }).files.map((f) => f.name);
      const expected = sortByResourceName(
        made.map((name) => ({ name })),
        'files',
      ).map((x) => x.name);
      expect(walked).toEqual(expected);
    }
  });
});
