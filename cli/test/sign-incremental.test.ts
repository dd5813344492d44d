import { randomBytes } from 'node:crypto';
import {
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
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_CODES } from '../src/exit.ts';
import { cleanup, cli, tempDir } from './helpers.ts';

const OLD = new Date('2024-01-02T03:04:05Z');
let dir: string;
let model: string;
let key: string;
let pub: string;
let cacheDir: string;

const FILES = ['a.bin', 'b.bin', 'sub/c.bin', 'sub/d.bin'];

beforeAll(async () => {
  dir = tempDir();
  model = join(dir, 'model');
  cacheDir = join(dir, 'cache');
  mkdirSync(join(model, 'sub'), { recursive: true });
  for (const f of FILES) {
    writeFileSync(join(model, f), randomBytes(20_000));
    utimesSync(join(model, f), OLD, OLD);
  }
  expect(cli(['keygen', '--output-key-prefix', join(dir, 'k')]).status).toBe(0);
  key = join(dir, 'k.key');
  pub = join(dir, 'k.pub');
  // stamps less than a second old are never trusted (racy rule): let the new files' ctimes age
  await new Promise((r) => setTimeout(r, 1100));
}, 30_000);
afterAll(cleanup);

const sign = () => {
  const r = cli([
    'sign',
    model,
    '--key',
    key,
    '--incremental',
    '--digest-cache',
    cacheDir,
    '--output',
    'json',
  ]);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { incremental: { reused: number; hashed: number }; subject: unknown };
};
const verify = () => cli(['verify', model, '--key', pub]);
const keepTimes = (path: string, edit: () => void) => {
  const st = statSync(path);
  edit();
  utimesSync(path, st.atime, st.mtime);
};

describe('sign --incremental', () => {
  it('reuses unchanged files; each kind of change is hashed again and the bundle verifies', () => {
    expect(sign().incremental).toMatchObject({ reused: 0, hashed: 4 });
    expect(sign().incremental).toMatchObject({ reused: 4, hashed: 0 });
    expect(verify().status).toBe(0);
    const cacheFile = readdirSync(cacheDir)[0]!;
    expect(statSync(join(cacheDir, cacheFile)).mode & 0o777).toBe(0o600);

    const edits: Array<[string, () => void]> = [
      // same size, mtime put back: only ctime tells
      [
        'rewrite, mtime restored',
        () => keepTimes(join(model, 'a.bin'), () => writeFileSync(join(model, 'a.bin'), randomBytes(20_000))),
      ],
      [
        'another inode renamed over it',
        () =>
          keepTimes(join(model, 'b.bin'), () => {
            writeFileSync(join(model, 'b.tmp'), randomBytes(20_000));
            utimesSync(join(model, 'b.tmp'), OLD, OLD);
            renameSync(join(model, 'b.tmp'), join(model, 'b.bin'));
          }),
      ],
      [
        'truncated',
        () => keepTimes(join(model, 'sub/c.bin'), () => truncateSync(join(model, 'sub/c.bin'), 7)),
      ],
      [
        'extended',
        () =>
          keepTimes(join(model, 'sub/d.bin'), () =>
            writeFileSync(join(model, 'sub/d.bin'), randomBytes(1), { flag: 'a' }),
          ),
      ],
    ];
    for (const [what, edit] of edits) {
      const before = readFileSync(join(model, 'model.sig'), 'utf8');
      edit();
      expect(verify().status, what).toBe(EXIT_CODES.digest); // the old bundle no longer fits
      const r = sign();
      expect(r.incremental.hashed, what).toBeGreaterThanOrEqual(1);
      expect(readFileSync(join(model, 'model.sig'), 'utf8'), what).not.toBe(before);
      const v = verify();
      expect(v.status, `${what}: ${v.stderr}`).toBe(0);
    }
  }, 120_000);

  it('verify re-hashes: a cache that vouches for changed bytes fools only --incremental', async () => {
    await new Promise((r) => setTimeout(r, 1100)); // the files just re-signed are no longer racy
    sign();
    expect(sign().incremental.hashed).toBe(0);
    expect(verify().status).toBe(0);
    const [cacheFile] = readdirSync(cacheDir).map((f) => join(cacheDir, f));
    const target = join(model, 'a.bin');
    keepTimes(target, () => writeFileSync(target, randomBytes(20_000)));
    // forge the cache: the new stamp, the old digest (what a stale or planted cache would say)
    const st = statSync(target, { bigint: true });
    const doc = JSON.parse(readFileSync(cacheFile!, 'utf8'));
    const old = doc.entries['a.bin'];
    doc.entries['a.bin'] = [
      st.dev,
      st.ino,
      st.size,
      st.mtimeNs,
      st.ctimeNs,
      BigInt(Date.now() + 5000) * 1_000_000n,
    ]
      .map(String)
      .concat([old[6]]);
    writeFileSync(cacheFile!, JSON.stringify(doc), { mode: 0o600 });
    const v = verify();
    expect(v.status).toBe(EXIT_CODES.digest);
    expect(v.stderr).toMatch(/a\.bin/);
    // for contrast: signing one's own files trusts the cache, so the forged entry is reused
    expect(sign().incremental).toMatchObject({ reused: 4, hashed: 0 });
    expect(verify().status).toBe(EXIT_CODES.digest);
  }, 60_000);

  it('without --incremental nothing is cached', () => {
    const other = join(dir, 'other-cache');
    const r = cli(['sign', model, '--key', key, '--digest-cache', other]);
    expect(r.status).toBe(0);
    expect(() => readdirSync(other)).toThrow();
  });
});
