import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { blake3 } from '@noble/hashes/blake3.js';
import { afterAll, describe, expect, it } from 'vitest';
import { hashModel } from '../src/index.ts';
import { cleanupTempDirs, files, opts, rejection, shards, tempDir } from './helpers.ts';

afterAll(cleanupTempDirs);

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const blake2b = (b: Uint8Array) => createHash('blake2b512').update(b).digest('hex');
const b3 = (b: Uint8Array) => Buffer.from(blake3(b)).toString('hex');

/** A model with nested dirs, an empty file and a file spanning several read chunks. */
function makeModel() {
  const dir = tempDir();
  const big = randomBytes(3 * 1024 * 1024 + 17);
  const small = Buffer.from('{"vocab": 3}\n');
  mkdirSync(join(dir, 'tokenizer'));
  writeFileSync(join(dir, 'weights.bin'), big);
  writeFileSync(join(dir, 'tokenizer.json'), small);
  writeFileSync(join(dir, 'tokenizer', 'vocab.txt'), 'a\nb\n');
  writeFileSync(join(dir, 'empty'), '');
  return { dir, big, small };
}

describe('hashModel: digests', () => {
  it.each([
    ['sha256', sha256],
    ['blake2b', blake2b],
    ['blake3', b3],
  ] as const)('%s file digests equal a one-shot hash of each whole file', async (type, oneShot) => {
    const { dir, big, small } = makeModel();
    const m = await hashModel(dir, opts(files(type)));
    expect(m.resources).toEqual([
      { name: 'empty', algorithm: type, digest: oneShot(new Uint8Array()) },
      { name: 'tokenizer/vocab.txt', algorithm: type, digest: oneShot(Buffer.from('a\nb\n')) },
      { name: 'tokenizer.json', algorithm: type, digest: oneShot(small) },
      { name: 'weights.bin', algorithm: type, digest: oneShot(big) },
    ]);
    expect(m.serialization).toEqual({
      method: 'files',
      hashType: type,
      allowSymlinks: false,
      ignorePaths: ['.git', '.gitattributes', '.github', '.gitignore'],
    });
  });

  it('known answers: blake2b is the 64-byte variant, blake3 matches its published empty-input digest', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'e'), '');
    const [b2, bl3] = await Promise.all([
      hashModel(join(dir, 'e'), opts(files('blake2b'))),
      hashModel(join(dir, 'e'), opts(files('blake3'))),
    ]);
    expect(b2.resources[0]!.digest).toBe(
      '786a02f742015903c6c6fd852552d272912f4740e15847618a86e217f71f5419d25e1031afee585313896444934eb04b903a685b1448b755d56f701afe9be2ce',
    );
    expect(bl3.resources[0]!.digest).toBe('af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262');
  });

  it('shards: path:start:end names, end exclusive, numeric order, no shard for empty files', async () => {
    const { dir, big } = makeModel();
    const size = 1024 * 1024;
    const m = await hashModel(dir, opts(shards(size)));
    const names = m.resources.map((r) => r.name);
    expect(names).toEqual([
      'tokenizer/vocab.txt:0:4',
      'tokenizer.json:0:13',
      `weights.bin:0:${size}`,
      `weights.bin:${size}:${2 * size}`,
      `weights.bin:${2 * size}:${3 * size}`,
      `weights.bin:${3 * size}:${big.length}`,
    ]);
    expect(new Set(m.resources.map((r) => r.algorithm))).toEqual(new Set([`sha256-sharded-${size}`]));
    expect(m.resources[3]!.digest).toBe(sha256(big.subarray(size, 2 * size)));
    expect(m.resources[5]!.digest).toBe(sha256(big.subarray(3 * size)));
    expect(m.serialization).toMatchObject({ method: 'shards', shardSize: size });
  });

  it('shards sort numerically when offsets have different digit counts', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'w'), randomBytes(150_000));
    const m = await hashModel(dir, opts(shards(30_000, 'blake2b')));
    expect(m.resources.map((r) => r.name)).toEqual([
      'w:0:30000',
      'w:30000:60000',
      'w:60000:90000',
      'w:90000:120000',
      'w:120000:150000',
    ]);
    expect(m.resources[0]!.algorithm).toBe('blake2b-sharded-30000');
  });

  it('blake3 with shards falls back to whole files, as model_signing does', async () => {
    const { dir } = makeModel();
    const m = await hashModel(dir, opts(shards(1000, 'blake3')));
    expect(m.serialization.method).toBe('files');
    expect(m.resources.map((r) => r.algorithm)).toEqual(['blake3', 'blake3', 'blake3', 'blake3']);
  });

  it('a single file is one resource named "." (files) or ".:start:end" (shards)', async () => {
    const dir = tempDir();
    const data = randomBytes(25);
    writeFileSync(join(dir, 'model.safetensors'), data);
    const f = await hashModel(join(dir, 'model.safetensors'), opts(files()));
    expect(f.resources).toEqual([{ name: '.', algorithm: 'sha256', digest: sha256(data) }]);
    expect(f.modelName).toBe('model.safetensors');
    const s = await hashModel(join(dir, 'model.safetensors'), opts(shards(10)));
    expect(s.resources.map((r) => r.name)).toEqual(['.:0:10', '.:10:20', '.:20:25']);
  });

  it('an empty directory gives no resources and the SHA-256 of empty input as subject', async () => {
    const m = await hashModel(tempDir(), opts(files()));
    expect(m.resources).toEqual([]);
    expect(m.subjectDigest).toBe(sha256(new Uint8Array()));
  });

  it('the subject digest is SHA-256 over the raw digests in order, also for blake2b', async () => {
    const { dir } = makeModel();
    const m = await hashModel(dir, opts(files('blake2b')));
    const raw = Buffer.concat(m.resources.map((r) => Buffer.from(r.digest, 'hex')));
    expect(raw.length).toBe(4 * 64);
    expect(m.subjectDigest).toBe(sha256(raw));
  });

  it('reports progress up to the total bytes', async () => {
    const { dir, big } = makeModel();
    const seen: [number, number][] = [];
    await hashModel(dir, opts(shards(1 << 20), { onProgress: (d, t) => seen.push([d, t]) }));
    const last = seen.at(-1)!;
    expect(last[0]).toBe(big.length + 13 + 4);
    expect(last[1]).toBe(last[0]);
    for (let i = 1; i < seen.length; i++) expect(seen[i]![0]).toBeGreaterThanOrEqual(seen[i - 1]![0]);
  });

  it('stops when aborted', async () => {
    const { dir } = makeModel();
    const ac = new AbortController();
    ac.abort();
    const e = await rejection(hashModel(dir, opts(files(), { signal: ac.signal })));
    expect((e as Error).name).toBe('AbortError');
  });
});
