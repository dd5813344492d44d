/**
 * A Hugging Face hub cache snapshot is a folder of symlinks into its repository's blobs/:
 * `sign --allow-symlinks` follows exactly those (and links inside the model), refuses every
 * other way out, and says which revision it signed.
 */
import { cpSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_CODES } from '../src/exit.ts';
import { cleanup, cli, tempDir } from './helpers.ts';

const REV = '0e9e39f249a16976918f6564b8830bc894c89659';
let dir: string;
const f = (...p: string[]) => join(dir, ...p);

/** hub/<repoDir>/{blobs, refs/main, snapshots/REV/{config.json, sub/weights.bin}} as huggingface_hub lays it out */
function hfRepo(hub: string, repoDir = 'models--acme--tiny'): string {
  const repo = join(hub, repoDir);
  mkdirSync(join(repo, 'blobs'), { recursive: true });
  mkdirSync(join(repo, 'refs'), { recursive: true });
  mkdirSync(join(repo, 'snapshots', REV, 'sub'), { recursive: true });
  writeFileSync(join(repo, 'blobs', 'a1'), '{"hidden_size": 8}\n');
  writeFileSync(join(repo, 'blobs', 'b2'), 'weights '.repeat(100));
  writeFileSync(join(repo, 'refs', 'main'), REV);
  symlinkSync('../../blobs/a1', join(repo, 'snapshots', REV, 'config.json'));
  symlinkSync('../../../blobs/b2', join(repo, 'snapshots', REV, 'sub', 'weights.bin'));
  return join(repo, 'snapshots', REV);
}

beforeAll(() => {
  dir = tempDir();
  expect(cli(['keygen', '--output-key-prefix', f('k')]).status).toBe(0);
});
afterAll(cleanup);

describe('Hugging Face cache snapshots', () => {
  it('sign --allow-symlinks signs the snapshot, names the revision, and verify checks the blobs', () => {
    const snap = hfRepo(f('hub'));
    expect(cli(['sign', snap, '--key', f('k.key')]).stderr).toContain('SYMLINK_REFUSED');
    const s = cli(['sign', snap, '--key', f('k.key'), '--allow-symlinks', '--output', 'json']);
    expect(s.status, s.stderr).toBe(0);
    const j = JSON.parse(s.stdout);
    expect(j.huggingFace).toEqual({ repo: 'acme/tiny', kind: 'models', revision: REV });
    expect(j.resources).toBe(2);
    // the signature records allow_symlinks, so verify follows them with or without the flag
    expect(cli(['verify', snap, '--key', f('k.pub')]).status).toBe(0);
    const v = cli(['verify', snap, '--key', f('k.pub'), '--allow-symlinks', '--output', 'json']);
    expect(v.status, v.stderr).toBe(0);
    const d = cli(['digest', snap, '--allow-symlinks', '--output', 'json']);
    expect(JSON.parse(d.stdout).digest).toEqual(JSON.parse(v.stdout).subject[0].digest);
    writeFileSync(f('hub', 'models--acme--tiny', 'blobs', 'b2'), 'tampered');
    const bad = cli(['verify', snap, '--key', f('k.pub')]);
    expect(bad.status).toBe(EXIT_CODES.digest);
    expect(bad.stderr).toContain('sub/weights.bin');
  });

  it('verify --allow-symlinks follows links that a signature made without the flag did not list as links', () => {
    const m = f('plain');
    mkdirSync(m);
    writeFileSync(join(m, 'w.bin'), 'w');
    expect(cli(['sign', m, '--key', f('k.key')]).status).toBe(0);
    // the file becomes a link to the same bytes inside the model
    mkdirSync(join(m, 'store'));
    writeFileSync(join(m, 'store', 'w'), 'w');
    rmSync(join(m, 'w.bin'));
    symlinkSync('store/w', join(m, 'w.bin'));
    expect(cli(['verify', m, '--key', f('k.pub'), '--ignore-paths', 'store']).stderr).toContain(
      'SYMLINK_REFUSED',
    );
    const r = cli(['verify', m, '--key', f('k.pub'), '--ignore-paths', 'store', '--allow-symlinks']);
    expect(r.status, r.stderr).toBe(0);
  });

  const escapes: [string, (repo: string, snap: string) => void][] = [
    [
      "another repository's blob",
      (repo, snap) => {
        const other = join(repo, '..', 'models--evil--x', 'blobs');
        mkdirSync(other, { recursive: true });
        writeFileSync(join(other, 'c3'), 'evil');
        symlinkSync('../../../models--evil--x/blobs/c3', join(snap, 'evil.bin'));
      },
    ],
    ["the repository's refs/", (_repo, snap) => symlinkSync('../../refs/main', join(snap, 'ref'))],
    [
      'another snapshot of the same repository',
      (repo, snap) => {
        mkdirSync(join(repo, 'snapshots', 'other'), { recursive: true });
        writeFileSync(join(repo, 'snapshots', 'other', 'x'), 'x');
        symlinkSync('../other/x', join(snap, 'x'));
      },
    ],
    [
      'a folder below blobs/',
      (repo, snap) => {
        mkdirSync(join(repo, 'blobs', 'deeper'));
        writeFileSync(join(repo, 'blobs', 'deeper', 'd'), 'd');
        symlinkSync('../../blobs/deeper/d', join(snap, 'd'));
      },
    ],
    [
      'an absolute path outside the cache',
      (repo, snap) => {
        writeFileSync(join(repo, '..', '..', 'outside.txt'), 'secret');
        symlinkSync(join(repo, '..', '..', 'outside.txt'), join(snap, 'outside'));
      },
    ],
  ];
  it.each(escapes)('refuses a link to %s (SYMLINK_ESCAPES_ROOT)', (_what, add) => {
    const hub = join(tempDir(), 'hub');
    const snap = hfRepo(hub);
    add(join(hub, 'models--acme--tiny'), snap);
    const r = cli(['sign', snap, '--key', f('k.key'), '--allow-symlinks']);
    expect(r.status).toBe(EXIT_CODES.input);
    expect(r.stderr).toContain('SYMLINK_ESCAPES_ROOT');
  });

  it('refuses ../../blobs links outside the cache layout (a folder not named models--org--name)', () => {
    const hub = join(tempDir(), 'hub');
    const snap = hfRepo(hub);
    cpSync(join(hub, 'models--acme--tiny'), join(hub, 'acme-tiny'), {
      recursive: true,
      verbatimSymlinks: true,
    });
    const r = cli([
      'sign',
      join(hub, 'acme-tiny', 'snapshots', REV),
      '--key',
      f('k.key'),
      '--allow-symlinks',
    ]);
    expect(r.status).toBe(EXIT_CODES.input);
    expect(r.stderr).toContain('SYMLINK_ESCAPES_ROOT');
    expect(cli(['sign', snap, '--key', f('k.key'), '--allow-symlinks']).status).toBe(0);
  });
});
