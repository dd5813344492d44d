import { describe, expect, it } from 'vitest';
import {
  detectFormat,
  frontMatterOf,
  modelCardFrom,
  SCAN_RESULT_V1,
  scanVerdictsFrom,
} from '../src/index.ts';

const bytes = (...parts: (number[] | string)[]) =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...Buffer.from(p)] : p)));

function safetensorsHead(headerLength: number): Uint8Array {
  const b = Buffer.alloc(16);
  b.writeBigUInt64LE(BigInt(headerLength), 0);
  b.write('{"a":{}}', 8);
  return b;
}

function zipHead(firstMember: string): Uint8Array {
  const b = Buffer.alloc(30 + firstMember.length);
  b.writeUInt32LE(0x04034b50, 0);
  b.writeUInt16LE(firstMember.length, 26);
  b.write(firstMember, 30);
  return b;
}

const codeOf = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
};

describe('detectFormat: by the first bytes, never by name', () => {
  it.each([
    ['safetensors', safetensorsHead(8), 1000],
    ['gguf', bytes('GGUF', [3, 0, 0, 0]), 100],
    ['pickle', bytes([0x80, 4, 0x95]), 100],
    ['pytorch-zip', zipHead('archive/data.pkl'), 1000],
    ['zip', zipHead('weights.npy'), 1000],
    ['numpy', bytes([0x93], 'NUMPY', [1, 0]), 100],
    ['hdf5', bytes([0x89], 'HDF\r\n', [0x1a, 0x0a]), 100],
    ['json', bytes('  {"architectures": []}'), 30],
    ['text', bytes('# README\nhello é'), 30],
    ['unknown', bytes([0, 1, 2, 3, 0xff, 0xfe]), 6],
    ['empty', new Uint8Array(0), 0],
  ] as const)('%s', (format, head, size) => {
    expect(detectFormat(head, size)).toBe(format);
  });

  it('a safetensors-like header longer than the file is not safetensors', () => {
    expect(detectFormat(safetensorsHead(100 * 2 ** 30), 4096)).toBe('unknown');
  });

  it('text cut inside a multi-byte character at the end of the head is still text', () => {
    const full = Buffer.from('ab€');
    expect(detectFormat(full.subarray(0, full.length - 1), 100)).toBe('text');
  });
});

describe('model card fields', () => {
  it('reads config.json and README front matter, strings or lists', () => {
    const readme = '---\nlicense: mit\nlanguage: en\ntags: [a, b]\n---\n# Title\n';
    expect(frontMatterOf(readme)).toBe('license: mit\nlanguage: en\ntags: [a, b]');
    expect(
      modelCardFrom({
        config: { architectures: ['LlamaForCausalLM'], model_type: 'llama' },
        frontMatter: {
          license: 'mit',
          language: 'en',
          tags: ['a', 'b', 'a'],
          base_model: 'meta-llama/Llama-3.1-8B',
        },
      }),
    ).toEqual({
      architecture: 'LlamaForCausalLM',
      architectureFamily: 'llama',
      license: 'mit',
      languages: ['en'],
      tags: ['a', 'b'],
      datasets: [],
      baseModels: ['meta-llama/Llama-3.1-8B'],
    });
  });

  it('nothing said: no card; no front matter: undefined; long values are cut', () => {
    expect(modelCardFrom({ config: { hidden_size: 8 }, frontMatter: 'not a map' })).toBeUndefined();
    expect(frontMatterOf('# just a title\n---\n')).toBeUndefined();
    expect(modelCardFrom({ frontMatter: { license: 'x'.repeat(10_000) } })?.license).toHaveLength(256);
  });
});

describe('scan verdicts from scan attestations', () => {
  const predicate = {
    scanner: { name: 'modelseal-scan', version: '0.1.0' },
    verdict: 'fail',
    files: [
      { path: 'model.safetensors', verdict: 'pass', format: 'safetensors', findings: [] },
      {
        path: 'pytorch_model.bin',
        verdict: 'fail',
        format: 'pytorch-zip',
        findings: [{ code: 'PICKLE_GLOBAL_DENIED', message: 'os.system', global: 'os.system' }],
      },
    ],
  };

  it('maps the scan-result predicate: the model and each file', () => {
    const v = scanVerdictsFrom(SCAN_RESULT_V1, predicate, true);
    expect(v.map((x) => [x.file, x.verdict, x.format])).toEqual([
      [undefined, 'fail', undefined],
      ['model.safetensors', 'pass', 'safetensors'],
      ['pytorch_model.bin', 'fail', 'pytorch-zip'],
    ]);
    expect(v[2]!.findings).toEqual([{ code: 'PICKLE_GLOBAL_DENIED', message: 'os.system' }]);
  });

  it('maps an SVR to a model verdict; other types give nothing; malformed is coded', () => {
    const svr = scanVerdictsFrom(
      'https://in-toto.io/attestation/svr/v0.1',
      {
        verifier: { id: 'https://scanner.example/v1' },
        timeCreated: '2026-01-01T00:00:00Z',
        properties: ['NO_PICKLE'],
      },
      true,
    );
    expect(svr).toEqual([
      {
        scanner: 'https://scanner.example/v1',
        attested: true,
        verdict: 'pass',
        findings: [{ code: 'NO_PICKLE', message: 'verified property' }],
      },
    ]);
    expect(scanVerdictsFrom('https://slsa.dev/provenance/v1', {}, true)).toEqual([]);
    expect(codeOf(() => scanVerdictsFrom(SCAN_RESULT_V1, { ...predicate, verdict: 'maybe' }, true))).toBe(
      'SCAN_PREDICATE_INVALID',
    );
    expect(codeOf(() => scanVerdictsFrom(SCAN_RESULT_V1, { files: [] }, true))).toBe(
      'SCAN_PREDICATE_INVALID',
    );
  });
});
