import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import {
  bytesReader,
  type FindingCode,
  ML_PROFILE,
  profileDigest,
  SCAN_PREDICATE_TYPE,
  scanFile,
  scanStatement,
  WEIGHTS_ONLY_PROFILE,
} from '../src/index.ts';
import { cat, P, pb } from './builders.ts';

const scan = (bytes: Uint8Array, profile = WEIGHTS_ONLY_PROFILE) =>
  scanFile('f', bytesReader(bytes), { profile });
const codes = (bytes: Uint8Array, profile = WEIGHTS_ONLY_PROFILE): FindingCode[] =>
  scan(bytes, profile).findings.map((f) => f.code);

/** ONNX ModelProto from onnx.proto: ir_version=1, graph=7 (node=1: op_type=4, domain=7; initializer=5), opset_import=8 */
function onnx(opts: { domain?: string; location?: string }): Uint8Array {
  const node = cat(
    pb.bytes(1, 'x'),
    pb.bytes(2, 'y'),
    pb.bytes(4, 'Relu'),
    ...(opts.domain ? [pb.bytes(7, opts.domain)] : []),
  );
  const tensor = cat(
    pb.int(1, 4),
    pb.int(2, 1),
    pb.bytes(8, 'w'),
    ...(opts.location !== undefined
      ? [pb.bytes(13, cat(pb.bytes(1, 'location'), pb.bytes(2, opts.location))), pb.int(14, 1)]
      : [pb.bytes(9, new Uint8Array(16))]),
  );
  const graph = cat(pb.bytes(1, node), pb.bytes(2, 'g'), pb.bytes(5, tensor));
  return cat(
    pb.int(1, 9),
    pb.bytes(2, 'test'),
    pb.bytes(7, graph),
    pb.bytes(8, cat(pb.bytes(1, ''), pb.int(2, 21))),
  );
}

describe('ONNX', () => {
  it('standard operators with inline initializers pass', () => {
    const r = scan(onnx({}));
    expect(r.format).toBe('onnx');
    expect(r.findings).toEqual([]);
  });

  it('a custom-op domain needs a native library: flagged; com.microsoft only under ml', () => {
    expect(codes(onnx({ domain: 'evil.ops' }), ML_PROFILE)).toEqual(['ONNX_CUSTOM_DOMAIN']);
    expect(codes(onnx({ domain: 'com.microsoft' }))).toEqual(['ONNX_CUSTOM_DOMAIN']);
    expect(codes(onnx({ domain: 'com.microsoft' }), ML_PROFILE)).toEqual([]);
  });

  it('external data that leaves the model directory is flagged; a sibling file is not', () => {
    expect(codes(onnx({ location: 'weights.bin' }))).toEqual([]);
    for (const loc of ['../../etc/shadow', '/etc/passwd', 'C:\\x', 'https://example.invalid/w']) {
      expect(codes(onnx({ location: loc })), loc).toEqual(['ONNX_EXTERNAL_DATA']);
    }
  });

  it('a truncated model is no longer recognised as ONNX, and fails', () => {
    const m = onnx({});
    const cut = cat(m.subarray(0, m.byteLength - 30));
    expect(codes(cut)).toEqual(['FORMAT_UNKNOWN']);
  });
});

describe('formats that are identified and refused or checked', () => {
  it('a broken HDF5 file fails closed; a SavedModel graph reading a file fails naming the op', () => {
    expect(codes(cat('\x89HDF\r\n\x1a\n', new Uint8Array(64)))).toEqual(['HDF5_MALFORMED']);
    const node = cat(pb.bytes(1, 'r'), pb.bytes(2, 'ReadFile'));
    const saved = cat(pb.int(1, 1), pb.bytes(2, cat(pb.bytes(2, pb.bytes(1, node)))));
    const r = scan(saved, ML_PROFILE);
    expect(r.format).toBe('tf-savedmodel');
    expect(r.findings.map((f) => f.code)).toEqual(['SAVEDMODEL_OP']);
    expect(r.findings[0]!.message).toBe('node "r" of the main graph uses ReadFile, which reads a file');
  });

  it('identifies by content, not by name: a pickle called config.json is a pickle', () => {
    const r = scanFile('config.json', bytesReader(cat(P.proto(2), P.global('os', 'system'), P.stop)));
    expect(r.format).toBe('pickle');
    expect(r.verdict).toBe('fail');
  });

  it('tokenizer configs: a dunder-climbing chat template fails, a normal one passes', () => {
    const ok = {
      chat_template:
        "{% for m in messages %}{{ m['content'] | trim }}{% if loop.last %}{{ eos_token }}{% endif %}{% endfor %}",
    };
    expect(codes(cat(JSON.stringify(ok)))).toEqual([]);
    for (const t of [
      '{{ ().__class__.__mro__[1].__subclasses__() }}',
      "{{ messages|attr('__class__') }}",
      '{{ x["_" * 2 ~ "class" ~ "_" * 2] }}',
      '{{ lipsum.__globals__ }}',
    ]) {
      expect(codes(cat(JSON.stringify({ chat_template: t }))), t).toContain('TEMPLATE_UNSAFE');
    }
  });

  it('transformers auto_map and Keras custom objects are flagged', () => {
    expect(codes(cat(JSON.stringify({ auto_map: { AutoModel: 'modeling.My' } })))).toEqual([
      'HF_REMOTE_CODE',
    ]);
    expect(codes(cat(JSON.stringify({ module: 'my_pkg.layers', class_name: 'Evil', config: {} })))).toEqual([
      'KERAS_CUSTOM_OBJECT',
    ]);
  });

  it('plain text and empty files pass; unknown binary fails', () => {
    expect(scan(cat('# A model card\n\nHello.')).verdict).toBe('pass');
    expect(scan(new Uint8Array(0)).format).toBe('empty');
    expect(codes(new Uint8Array([0, 1, 2, 3, 0xfe, 0xff]))).toEqual(['FORMAT_UNKNOWN']);
  });
});

describe('scan attestations', () => {
  const schema = JSON.parse(
    readFileSync(new URL('../schemas/scan-result-v1.schema.json', import.meta.url), 'utf8'),
  );
  const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);

  it('scanStatement builds an in-toto statement whose predicate validates against the schema', () => {
    const f = scanFile('data.pkl', bytesReader(cat(P.proto(2), P.global('os', 'system'), P.stop)), {
      sha256: 'a'.repeat(64),
    });
    const s = scanStatement({
      subject: [{ name: 'my-model', digest: { sha256: 'b'.repeat(64) } }],
      profile: WEIGHTS_ONLY_PROFILE,
      files: [f],
      scannedAt: '2026-01-02T03:04:05Z',
    });
    expect(s._type).toBe('https://in-toto.io/Statement/v1');
    expect(s.predicateType).toBe(SCAN_PREDICATE_TYPE);
    expect(s.predicate.verdict).toBe('fail');
    expect(s.predicate.files[0]!.findings[0]).toMatchObject({
      code: 'GLOBAL_NOT_ALLOWED',
      global: 'os.system',
    });
    expect(validate(s.predicate), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...s.predicate, verdict: 'maybe' })).toBe(false);
  });

  it('refuses files without digests and bad times', () => {
    const f = scanFile('x', bytesReader(cat('hi')));
    const input = {
      subject: [{ name: 'm', digest: { sha256: 'b'.repeat(64) } }],
      profile: ML_PROFILE,
      files: [f],
    };
    expect(() => scanStatement({ ...input, scannedAt: '2026-01-02T03:04:05Z' })).toThrow(/no digest/);
    expect(() => scanStatement({ ...input, files: [], scannedAt: 'yesterday' })).toThrow(/RFC 3339/);
  });

  it('profile digests are stable and tell the profiles apart', () => {
    expect(profileDigest(WEIGHTS_ONLY_PROFILE)).toMatch(/^[0-9a-f]{64}$/);
    expect(profileDigest(WEIGHTS_ONLY_PROFILE)).toBe(profileDigest(WEIGHTS_ONLY_PROFILE));
    expect(profileDigest(ML_PROFILE)).not.toBe(profileDigest(WEIGHTS_ONLY_PROFILE));
  });
});
