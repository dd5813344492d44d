import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SHARED_VECTORS } from '../../test/shared-vectors.ts';
import { EXIT_CODES } from '../src/exit.ts';
import { cleanup, cli, tempDir } from './helpers.ts';

const corpus = join(SHARED_VECTORS, 'picklescan');

function safetensors(): Buffer {
  const header = '{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}';
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(header.length));
  return Buffer.concat([len, Buffer.from(header), Buffer.alloc(8)]);
}

/** A model directory as it arrives: weights, a config, a card, and one file that should not be there. */
function mixedModel(): string {
  const dir = tempDir();
  mkdirSync(join(dir, 'extra'));
  writeFileSync(join(dir, 'model.safetensors'), safetensors());
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ architectures: ['Llama'], hidden_size: 8 }));
  writeFileSync(join(dir, 'README.md'), '# card\n');
  copyFileSync(join(corpus, 'data/new_pytorch_model.bin'), join(dir, 'pytorch_model.bin'));
  // a gadget pickle under an innocent name
  copyFileSync(join(corpus, 'data2/GHSA-vvpj-8cmc-gx39.pkl'), join(dir, 'extra', 'training_args.bin'));
  return dir;
}

afterAll(cleanup);

describe('modelseal scan', () => {
  it('fails a directory with one unsafe file (exit 7) and names the file and the global', () => {
    const dir = mixedModel();
    const r = cli(['scan', dir]);
    expect(r.status).toBe(EXIT_CODES.policy);
    const lines = r.stdout.trim().split('\n');
    expect(lines.find((l) => l.endsWith('extra/training_args.bin'))).toMatch(
      /^FAIL\s+pickle\s+sha256:[0-9a-f]{64}/,
    );
    expect(r.stdout).toMatch(/GLOBAL_NOT_ALLOWED: imports pkgutil\.resolve_name/);
    for (const ok of ['model.safetensors', 'config.json', 'README.md', 'pytorch_model.bin']) {
      expect(
        lines.find((l) => l.endsWith(`  ${ok}`)),
        ok,
      ).toMatch(/^PASS/);
    }
    expect(r.stderr).toMatch(/scan: 5 files, 1 failed \(profile weights-only/);
  });

  it('--output json: per-file verdicts, formats, digests and the offending global', () => {
    const dir = mixedModel();
    const r = cli(['scan', dir, '--output', 'json']);
    expect(r.status).toBe(EXIT_CODES.policy);
    const j = JSON.parse(r.stdout);
    expect(j.verdict).toBe('fail');
    expect(j.model.digest.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(j.profile.digest.sha256).toMatch(/^[0-9a-f]{64}$/);
    const byPath = Object.fromEntries(j.files.map((f: { path: string }) => [f.path, f]));
    expect(byPath['model.safetensors']).toMatchObject({ verdict: 'pass', format: 'safetensors' });
    expect(byPath['pytorch_model.bin']).toMatchObject({
      verdict: 'pass',
      format: 'pytorch-zip',
      sha256: 'bcdadbfe42e52ffd38737dd6322468d00f4574f30d25555170861518c5a7b0a3',
    });
    expect(byPath['extra/training_args.bin'].findings[0]).toMatchObject({
      code: 'GLOBAL_NOT_ALLOWED',
      global: 'pkgutil.resolve_name',
    });
  });

  it('passes a clean model (exit 0); the ml profile accepts numpy object arrays, weights-only does not', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'model.safetensors'), safetensors());
    copyFileSync(join(corpus, 'data2/object_arrays.npz'), join(dir, 'arrays.npz'));
    expect(cli(['scan', dir]).status).toBe(EXIT_CODES.policy);
    const ml = cli(['scan', dir, '--profile', 'ml']);
    expect(ml.status).toBe(0);
    expect(ml.stdout).toMatch(/^PASS\s+numpy-npz/m);
  });

  it('a missing path is not found (exit 5); an unknown profile is a usage error (exit 2)', () => {
    expect(cli(['scan', join(tempDir(), 'nope')]).status).toBe(EXIT_CODES.not_found);
    expect(cli(['scan', '.', '--profile', 'yolo']).status).toBe(EXIT_CODES.usage);
  });
});

describe('modelseal scan --predicate-out, signed with attest', () => {
  it('writes the scan-result predicate, which attest signs into the store for the model digest', () => {
    const dir = tempDir();
    const model = join(dir, 'model');
    mkdirSync(model);
    writeFileSync(join(model, 'model.safetensors'), safetensors());
    const pred = join(dir, 'scan.json');
    const scan = cli(['scan', model, '--predicate-out', pred, '--output', 'json']);
    expect(scan.status, scan.stderr).toBe(0);
    const digest = JSON.parse(scan.stdout).model.digest.sha256;
    const predicate = JSON.parse(readFileSync(pred, 'utf8'));
    expect(predicate).toMatchObject({ verdict: 'pass', profile: { name: 'weights-only' } });
    expect(predicate.files[0]).toMatchObject({
      path: 'model.safetensors',
      format: 'safetensors',
      verdict: 'pass',
    });
    expect(cli(['keygen', '--output-key-prefix', join(dir, 'k')]).status).toBe(0);
    const attest = cli([
      'attest',
      '--subject',
      `model@sha256:${digest}`,
      '--type',
      'https://modelseal.dev/scan-result/v1',
      '--predicate',
      pred,
      '--key',
      join(dir, 'k.key'),
      '--store',
      join(dir, 'store'),
    ]);
    expect(attest.status, attest.stderr).toBe(0);
    expect(readdirSync(join(dir, 'store'), { recursive: true }).some((f) => String(f).includes(digest))).toBe(
      true,
    );
  });
});
