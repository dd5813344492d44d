/** `modelseal verify-digest` as a user (or the verifier init container) runs it. */
import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, cli, tempDir } from './helpers.ts';

let dir: string;
let model: string;
let key: string;

const signedDigest = (args: string[]) => {
  const r = cli(['sign', model, '--key', key, '--output', 'json', ...args]);
  expect(r.status, r.stderr).toBe(0);
  return `sha256:${JSON.parse(r.stdout).subject.digest.sha256}`;
};

beforeAll(() => {
  dir = tempDir();
  model = join(dir, 'model');
  expect(cli(['keygen', '--output-key-prefix', join(dir, 'k')]).status).toBe(0);
  key = join(dir, 'k.key');
  mkdirSync(model);
  writeFileSync(join(model, 'a.bin'), Buffer.alloc(300, 7));
  writeFileSync(join(model, 'b.txt'), 'hello\n');
});

afterAll(cleanup);

const ignored = ['--ignore-paths=model.sig'];

describe('modelseal verify-digest', () => {
  it('passes on the signed bytes; after a change fails with exit 4, naming the file from --manifest-from BUNDLE', () => {
    const digest = signedDigest([]);
    const ok = cli(['verify-digest', model, `--digest=${digest}`, ...ignored, '--output', 'json']);
    expect(ok.status, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, digest, resources: 2 });
    writeFileSync(join(model, 'b.txt'), 'hellO\n');
    const term = join(dir, 'termination');
    const bad = cli([
      'verify-digest',
      model,
      `--digest=${digest}`,
      ...ignored,
      `--manifest-from=${join(model, 'model.sig')}`,
      `--termination-log=${term}`,
      '--output',
      'json',
    ]);
    expect(bad.status).toBe(4);
    const error = JSON.parse(bad.stdout).error;
    expect(error.code).toBe('ADMITTED_DIGEST_MISMATCH');
    expect(error.details).toMatchObject({ changed: ['b.txt'], missing: [], extra: [] });
    expect(readFileSync(term, 'utf8')).toMatch(
      /^modelseal verify-digest: ADMITTED_DIGEST_MISMATCH: .*changed: b\.txt$/,
    );
    writeFileSync(join(model, 'b.txt'), 'hello\n');
  });

  it('without a resource list it still fails, and says how to name the files', () => {
    const digest = signedDigest([]);
    writeFileSync(join(model, 'c.txt'), 'new\n');
    const r = cli(['verify-digest', model, `--digest=${digest}`, ...ignored]);
    expect(r.status).toBe(4);
    expect(r.stderr).toContain('--manifest-from');
    unlinkSync(join(model, 'c.txt'));
  });

  it('shards: the serialization given is the one hashed (files does not give a shard digest)', () => {
    const digest = signedDigest(['--serialization', 'shards', '--shard-size', '128']);
    const shards = ['--serialization=shards', '--shard-size=128'];
    expect(cli(['verify-digest', model, `--digest=${digest}`, ...ignored, ...shards]).status).toBe(0);
    expect(cli(['verify-digest', model, `--digest=${digest}`, ...ignored]).status).toBe(4);
  });

  it('refuses a resource list of another digest before hashing (exit 6), and bad flags (exit 2)', () => {
    const digest = signedDigest([]);
    const other = join(dir, 'other.json');
    writeFileSync(
      other,
      JSON.stringify({
        serialization: { method: 'files', hash_type: 'sha256', allow_symlinks: false },
        resources: [{ name: 'x', algorithm: 'sha256', digest: 'ab'.repeat(32) }],
      }),
    );
    const r = cli(['verify-digest', model, `--digest=${digest}`, `--manifest-from=${other}`]);
    expect(r.status).toBe(6);
    expect(r.stderr).toContain('MANIFEST_NOT_ADMITTED');
    const bad = cli(['verify-digest', model, '--digest=sha256:XYZ']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('BAD_DIGEST');
    const unset = cli(['verify-digest', model, `--digest=${digest}`, '--manifest-env=NOPE_NOT_SET']);
    expect(unset.status).toBe(2);
    expect(unset.stderr).toContain('MANIFEST_ENV_UNSET');
    const both = cli([
      'verify-digest',
      model,
      `--digest=${digest}`,
      `--manifest-from=${other}`,
      '--manifest-env=X',
    ]);
    expect(both.status).toBe(2);
    expect(both.stderr).toContain('MANIFEST_SOURCE_CONFLICT');
  });

  it('reads the resource list from an environment variable (how /mutate passes it)', () => {
    const digest = signedDigest([]);
    const d = cli(['digest', model, '--output', 'json', ...ignored]);
    writeFileSync(join(model, 'b.txt'), 'changed\n');
    const r = cli(['verify-digest', model, `--digest=${digest}`, ...ignored, '--manifest-env=M'], {
      M: d.stdout,
    });
    expect(r.status).toBe(4);
    expect(r.stderr).toContain('changed: b.txt');
    writeFileSync(join(model, 'b.txt'), 'hello\n');
  });
});
