import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cycloneDxErrors } from '../../packages/bom/test/validate.ts';
import { cleanup, cli, tempDir } from './helpers.ts';

const COMMIT = '0e9e39f249a16976918f6564b8830bc894c89659';
const SCAN = 'https://modelseal.dev/scan-result/v1';

// biome-ignore lint/suspicious/noExplicitAny: assertions walk arbitrary JSON
type Json = any;

let dir: string;
const at = (...p: string[]) => join(dir, ...p);
const run = (...args: string[]) => cli(args, {}, dir);
const props = (c: Json, name: string): string[] =>
  (c.properties ?? []).filter((p: Json) => p.name === name).map((p: Json) => p.value);

function payloadOf(bundlePath: string): Json {
  const b = JSON.parse(readFileSync(bundlePath, 'utf8'));
  return JSON.parse(Buffer.from(b.dsseEnvelope.payload, 'base64').toString('utf8'));
}

function ok<R extends { status: number | null; stderr: string }>(r: R): R {
  if (r.status !== 0) throw new Error(`exit ${r.status}: ${r.stderr}`);
  return r;
}

let digest: string;

beforeAll(() => {
  dir = tempDir();
  ok(run('keygen', '--output-key-prefix', 'release'));
  ok(run('keygen', '--output-key-prefix', 'stranger'));
  mkdirSync(at('model', 'tokenizer'), { recursive: true });
  const header = Buffer.from('{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(header.length));
  writeFileSync(at('model', 'model.safetensors'), Buffer.concat([len, header, Buffer.alloc(8)]));
  writeFileSync(at('model', 'config.json'), '{"architectures":["TinyForCausalLM"],"model_type":"tiny"}');
  writeFileSync(at('model', 'README.md'), '---\nlicense: mit\npipeline_tag: text-generation\n---\n# tiny\n');
  writeFileSync(at('model', 'tokenizer', 'vocab.txt'), 'a\nb\n');
  writeFileSync(at('model', 'legacy.bin'), Buffer.from([0x80, 0x02, 0x7d, 0x71, 0x00, 0x2e]));
  mkdirSync(at('reviews'));
  writeFileSync(at('reviews', 'part-0.jsonl'), '{"text":"good"}\n');
  ok(run('sign', 'model', '--key', 'release.key'));
  ok(run('sign', 'reviews', '--key', 'release.key', '--store', 'store'));
  ok(
    run(
      'attest',
      'model',
      '--type',
      'slsa',
      '--key',
      'release.key',
      '--store',
      'store',
      '--builder-id',
      'https://ci.example.com/train',
      '--dataset',
      './reviews',
      '--base-model',
      `hf://meta-llama/Llama-3.1-8B@${COMMIT}`,
    ),
  );
  digest = `sha256:${payloadOf(at('model', 'model.sig')).subject[0].digest.sha256}`;
}, 120_000);

afterAll(cleanup);

describe('modelseal bom (CLI process)', () => {
  it('a signed, SLSA-attested model: a valid CycloneDX 1.6 BOM listing exactly the signed per-file digests', async () => {
    const r = ok(run('bom', 'model', '--key', 'release.pub', '--store', 'store', '--output', 'json'));
    const bom: Json = JSON.parse(r.stdout);
    expect(await cycloneDxErrors(bom)).toEqual([]);
    const signed = payloadOf(at('model', 'model.sig')).predicate.resources;
    const model = bom.metadata.component;
    expect(model.components.map((f: Json) => [f.name, f.hashes.map((h: Json) => h.content)])).toEqual(
      signed.map((r: Json) => [r.name, [r.digest]]),
    );
    expect(props(model, 'modelseal:digest')).toEqual([digest]);
    expect(props(model, 'modelseal:resources')).toEqual(['as signed']);
    // both attestations verified against the one trusted key
    expect(props(model, 'modelseal:attestation').map((a) => a.split(' ')[0])).toEqual(
      expect.arrayContaining(['https://model_signing/signature/v1.0', 'https://slsa.dev/provenance/v1']),
    );
    expect(props(model, 'modelseal:signer')).toHaveLength(1);
    expect(props(model, 'modelseal:signer')[0]).toMatch(/^key:[0-9a-f]{64}$/);
  });

  it('datasets and base model from provenance with digests and the pinned hub commit; formats by content; the card', () => {
    const bom: Json = JSON.parse(
      ok(run('bom', 'model', '--key', 'release.pub', '--store', 'store', '-o', 'json')).stdout,
    );
    const reviews = payloadOf(readStoreBundle('model_signing', digest));
    const dataset = bom.components.find((c: Json) => c.type === 'data');
    expect(dataset.name).toBe('reviews');
    expect(props(dataset, 'modelseal:digest')).toEqual([`sha256:${reviews.subject[0].digest.sha256}`]);
    const base = bom.components.find((c: Json) => c.type === 'machine-learning-model');
    expect(base).toMatchObject({ name: 'meta-llama/Llama-3.1-8B', version: COMMIT });
    const model = bom.metadata.component;
    const format = (name: string) =>
      props(
        model.components.find((f: Json) => f.name === name),
        'modelseal:format',
      );
    expect(format('model.safetensors')).toEqual(['safetensors']);
    expect(format('legacy.bin')).toEqual(['pickle']);
    expect(format('config.json')).toEqual(['json']);
    expect(model.modelCard.modelParameters).toMatchObject({
      task: 'text-generation',
      modelArchitecture: 'TinyForCausalLM',
    });
    expect(model.licenses).toEqual([{ license: { name: 'mit' } }]);
  });

  it('only trusted signers count: an attestation by another key is left out and noted', () => {
    ok(
      run(
        'attest',
        '--subject',
        `model@${digest}`,
        '--type',
        SCAN,
        '--predicate',
        writeScan('fail'),
        '--key',
        'stranger.key',
        '--store',
        'store',
      ),
    );
    const r = ok(run('bom', 'model', '--key', 'release.pub', '--store', 'store', '-o', 'json'));
    const bom: Json = JSON.parse(r.stdout);
    expect(props(bom.metadata.component, 'modelseal:scan')).toEqual([]);
    expect(r.stderr).toContain('note: not used:');
  });

  it('a scan attestation by a trusted key: verdicts on the model and per file', async () => {
    ok(
      run(
        'attest',
        '--subject',
        `model@${digest}`,
        '--type',
        SCAN,
        '--predicate',
        writeScan('pass'),
        '--key',
        'release.key',
        '--store',
        'store',
      ),
    );
    const bom: Json = JSON.parse(
      ok(run('bom', 'model', '--key', 'release.pub', '--store', 'store', '-o', 'json')).stdout,
    );
    expect(await cycloneDxErrors(bom)).toEqual([]);
    expect(props(bom.metadata.component, 'modelseal:scan')).toEqual([
      'pass by modelseal-scan@0.1.0 (attested)',
    ]);
    const legacy = bom.metadata.component.components.find((f: Json) => f.name === 'legacy.bin');
    expect(props(legacy, 'modelseal:scan:format')).toEqual(['pickle']);
  });

  it('by digest: the file list comes from the store signature; --attest signs the BOM and verify-attestation accepts it', async () => {
    ok(run('attest', 'model', '--type', 'oms', '--key', 'release.key', '--store', 'store'));
    const r = ok(
      run(
        'bom',
        digest,
        '--key',
        'release.pub',
        '--store',
        'store',
        '--attest',
        '--attest-key',
        'release.key',
        '-o',
        'json',
      ),
    );
    const bom: Json = JSON.parse(r.stdout);
    expect(await cycloneDxErrors(bom)).toEqual([]);
    expect(bom.metadata.component.components.map((f: Json) => f.name)).toEqual(
      payloadOf(at('model', 'model.sig')).predicate.resources.map((x: Json) => x.name),
    );
    const stored = payloadOf(readStoreBundle('cyclonedx'));
    expect(stored.predicateType).toBe('https://cyclonedx.org/bom');
    expect(stored.subject[0].digest.sha256).toBe(digest.slice(7));
    expect(stored.predicate.metadata.component['bom-ref']).toBe(bom.metadata.component['bom-ref']);
    ok(run('verify-attestation', digest, '--type', 'cyclonedx', '--key', 'release.pub', '--store', 'store'));
  });

  it('a digest nobody signed: BOM_NO_MANIFEST, exit 5; no trust given: TRUST_MISSING, exit 2', () => {
    const none = run(
      'bom',
      `sha256:${'0'.repeat(64)}`,
      '--key',
      'release.pub',
      '--store',
      'store',
      '-o',
      'json',
    );
    expect(none.status).toBe(5);
    expect(JSON.parse(none.stdout).error.code).toBe('BOM_NO_MANIFEST');
    const untrusted = run('bom', 'model', '--store', 'store', '-o', 'json');
    expect(untrusted.status).toBe(2);
    expect(JSON.parse(untrusted.stdout).error.code).toBe('TRUST_MISSING');
  });
});

function writeScan(verdict: 'pass' | 'fail'): string {
  const file = at(`scan-${verdict}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      scanner: { name: 'modelseal-scan', version: '0.1.0' },
      profile: { name: 'weights-only', version: 1, digest: { sha256: 'a'.repeat(64) } },
      scannedAt: '2026-01-01T00:00:00Z',
      verdict,
      files: [
        {
          path: 'legacy.bin',
          digest: { sha256: 'b'.repeat(64) },
          size: 6,
          format: 'pickle',
          verdict,
          findings: [],
        },
      ],
    }),
  );
  return file;
}

/** The store's bundles whose file name mentions `what`, outside `except` (a subject digest) if given. */
function readStoreBundle(what: string, except?: string): string {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.name.includes(what)) found.push(join(d, e.name));
    }
  };
  walk(at('store'));
  const wanted = found.filter((f) => except === undefined || !f.includes(except.slice(7)));
  expect(wanted).toHaveLength(1);
  return wanted[0]!;
}
