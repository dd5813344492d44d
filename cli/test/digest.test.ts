import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { SHARED_VECTORS } from '../../test/shared-vectors.ts';
import { EXIT_CODES } from '../src/exit.ts';

const bin = fileURLToPath(new URL('../src/bin.ts', import.meta.url));
const VECTOR = `${SHARED_VECTORS}/model-transparency/v1.1.0-elliptic-key`;
const tmp = mkdtempSync(join(tmpdir(), 'ms-digest-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const digest = (...args: string[]) =>
  spawnSync(process.execPath, [bin, 'digest', ...args], { encoding: 'utf8', timeout: 30_000 });
const sha256 = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');

function model(name: string, files: Record<string, string>): string {
  const dir = join(tmp, name);
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), content);
  }
  return dir;
}

describe('modelseal digest', () => {
  it('reproduces the model_signing v1.1.0 payload as JSON on stdout', () => {
    const r = digest(
      VECTOR,
      '--ignore-paths',
      'ignore-me',
      '--ignore-paths',
      'model.sig',
      '--output',
      'json',
    );
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    const j = JSON.parse(r.stdout);
    expect(j.name).toBe('v1.1.0-elliptic-key');
    expect(j.digest).toEqual({ sha256: '92745110b1ab4368471cbe31664e10174e954b113a3df333db860317b2c6dec4' });
    expect(j.serialization).toEqual({
      method: 'files',
      hash_type: 'sha256',
      allow_symlinks: false,
      ignore_paths: ['.git', '.gitattributes', '.github', '.gitignore', 'ignore-me', 'model.sig'],
    });
    expect(j.resources).toEqual([
      {
        name: 'signme-1',
        algorithm: 'sha256',
        digest: 'bc9a717db6064a32cbe9eae6fc40651dd6d36ef1757183f590eff2b1765d7ebc',
      },
      {
        name: 'signme-2',
        algorithm: 'sha256',
        digest: '32dcb1f8e1ae52d5963e56a6ba06ab58b424c15ed2a6b70d2feca1d089370028',
      },
    ]);
  });

  it('text output: the subject line, then one line per resource in canonical order', () => {
    const dir = model('text', { 'tokenizer.json': 'j', 'tokenizer/vocab.txt': 'v', 'odd\nname': 'o' });
    const r = digest(dir);
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^sha256:[0-9a-f]{64} {2}text$/);
    expect(lines.slice(1)).toEqual([
      `sha256:${sha256('o')}  "odd\\nname"`,
      `sha256:${sha256('v')}  tokenizer/vocab.txt`,
      `sha256:${sha256('j')}  tokenizer.json`,
    ]);
  });

  it('shards with --shard-size and blake2b', () => {
    const dir = model('shards', { w: 'abcdefghij', e: '' });
    const r = digest(
      dir,
      '--serialization',
      'shards',
      '--shard-size',
      '4',
      '--hash',
      'blake2b',
      '-o',
      'json',
    );
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.serialization).toMatchObject({ method: 'shards', hash_type: 'blake2b', shard_size: 4 });
    expect(j.resources.map((x: { name: string }) => x.name)).toEqual(['w:0:4', 'w:4:8', 'w:8:10']);
    expect(j.resources[2]).toEqual({
      name: 'w:8:10',
      algorithm: 'blake2b-sharded-4',
      digest: createHash('blake2b512').update('ij').digest('hex'),
    });
  });

  it('a single file is named "."', () => {
    const dir = model('single', { 'm.bin': 'weights' });
    const r = digest(join(dir, 'm.bin'), '-o', 'json');
    expect(JSON.parse(r.stdout).resources).toEqual([
      { name: '.', algorithm: 'sha256', digest: sha256('weights') },
    ]);
  });

  it('--no-ignore-git-paths includes .git files; --allow-symlinks hashes link targets', () => {
    const dir = model('git', { '.gitignore': 'x', a: 'y' });
    symlinkSync('a', join(dir, 'link'));
    expect(digest(dir).status).toBe(EXIT_CODES.input);
    const r = digest(dir, '--no-ignore-git-paths', '--allow-symlinks', '-o', 'json');
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.resources.map((x: { name: string }) => x.name)).toEqual(['.gitignore', 'a', 'link']);
    // the default bundle is always left out and recorded, as sign (and model_signing) record it
    expect(j.serialization).toMatchObject({ allow_symlinks: true, ignore_paths: ['model.sig'] });
  });

  it('an ignore path outside the model is not applied, and says so (model_signing drops it silently)', () => {
    const r = digest(VECTOR, '--ignore-paths', '../x', '--output', 'json');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('ignore path ../x is not inside the model');
    expect(JSON.parse(r.stdout).serialization.ignore_paths).not.toContain('../x');
  });

  it('the same manifest with 1 and 2 workers on a few hundred files', () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 300; i++) files[`d${i % 4}/f${i}`] = `content ${i}`;
    const dir = model('many', files);
    const one = digest(dir, '--workers', '1', '-o', 'json');
    const two = digest(dir, '--workers', '2', '-o', 'json');
    expect(one.status).toBe(0);
    expect(two.stdout).toBe(one.stdout);
    expect(JSON.parse(two.stdout).resources).toHaveLength(300);
  });

  it.each([
    [['/definitely/not/here'], EXIT_CODES.not_found, 'MODEL_NOT_FOUND'],
    [[VECTOR, '--shard-size', '10'], EXIT_CODES.usage, 'SHARD_SIZE_WITHOUT_SHARDS'],
    [[VECTOR, '--serialization', 'shards', '--shard-size', '1e3'], EXIT_CODES.usage, 'BAD_SHARD_SIZE'],
    [[VECTOR, '--serialization', 'shards', '--shard-size', '0'], EXIT_CODES.usage, 'BAD_SHARD_SIZE'],
    [[VECTOR, '--hash', 'md5'], EXIT_CODES.usage, 'USAGE'],
    [[VECTOR, '--workers', '0'], EXIT_CODES.usage, 'BAD_CONCURRENCY'],
  ])('%j fails with exit %i and %s on stderr, nothing on stdout', (args, code, errCode) => {
    const r = digest(...args);
    expect(r.status).toBe(code);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`error[${errCode}]`);
  });

  it('errors are JSON on stdout with --output json', () => {
    const r = digest('/definitely/not/here', '--output', 'json');
    expect(r.status).toBe(EXIT_CODES.not_found);
    expect(JSON.parse(r.stdout)).toMatchObject({
      ok: false,
      error: { code: 'MODEL_NOT_FOUND', kind: 'not_found' },
    });
  });

  it('a FIFO in the model is an error, not a hang', () => {
    const dir = model('fifo', { a: 'x' });
    expect(spawnSync('mkfifo', [join(dir, 'p')]).status).toBe(0);
    const r = digest(dir);
    expect(r.status).toBe(EXIT_CODES.input);
    expect(r.stderr).toContain('error[SPECIAL_FILE]');
  });

  it('notes on stderr that blake3 ignores --serialization shards', () => {
    const dir = model('b3', { a: 'x' });
    const r = digest(dir, '--serialization', 'shards', '--hash', 'blake3', '-o', 'json');
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('blake3 hashes whole files');
    expect(JSON.parse(r.stdout).serialization.method).toBe('files');
  });

  it('--stats reports peak memory on stderr, keeping stdout the manifest', () => {
    const r = digest(VECTOR, '--stats', '-o', 'json');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).resources.length).toBeGreaterThan(0);
    const stats = JSON.parse(r.stderr.trim().split('\n').at(-1)!).stats;
    expect(stats.maxRssKiB).toBeGreaterThan(1000);
  });
});

describe('modelseal digest output reaching a slow reader', () => {
  it('the whole manifest arrives though the process exits as soon as it is written', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 3000; i++) files[`part-${i % 3}/sample-${i}.txt`] = `sample ${i}`;
    const dir = model('slow-reader', files);
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [bin, 'digest', dir, '--output', 'json']);
    // Read nothing for a while: the output (~0.5 MB) fills the pipe long before the process exits.
    child.stdout.pause();
    await new Promise((r) => setTimeout(r, 300));
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stdout.resume();
    const code = await new Promise((r) => child.on('close', r));
    expect(code).toBe(0);
    const j = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    expect(j.resources).toHaveLength(3000);
    expect(j.resources[0]).toEqual({
      name: 'part-0/sample-0.txt',
      algorithm: 'sha256',
      digest: sha256('sample 0'),
    });
  });
});
