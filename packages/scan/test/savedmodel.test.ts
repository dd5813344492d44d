import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KNOWN_UNSAFE_OPS, PURE_OPS } from '../src/formats/savedmodel-ops.ts';
import { tensorDataClaims } from '../src/fs.ts';
import {
  bytesReader,
  FINDING_CODES,
  type FileReport,
  type FindingCode,
  profileDigest,
  profileDocument,
  scanFile,
  tensorBundleData,
  WEIGHTS_ONLY_PROFILE,
} from '../src/index.ts';
import { cat, pb } from './builders.ts';
import {
  bundleEntry,
  bundleHeader,
  constNode,
  fn,
  funcAttr,
  type MetaGraphParts,
  node,
  sAttr,
  savedModel,
  saverFunctions,
  saverNodes,
  tfTable,
} from './savedmodel-build.ts';

// written by TensorFlow 2.21 / Keras 3.15, not by us: see vectors/savedmodel/SOURCE.md
const VECTORS = join(import.meta.dirname, 'vectors', 'savedmodel');
const walk = (d: string): string[] =>
  readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : [join(d, n)]));

/** every file of a SavedModel directory, scanned as `modelseal scan` does (data shards through their index) */
function scanDir(dir: string): FileReport[] {
  const files = walk(join(VECTORS, dir)).map((f) => relative(join(VECTORS, dir), f));
  const claims = tensorDataClaims(files, (f) => join(VECTORS, dir, f));
  return files.map((f) => {
    const claim = claims.get(f);
    return scanFile(f, bytesReader(readFileSync(join(VECTORS, dir, f))), claim ? { tensorData: claim } : {});
  });
}

const scan = (bytes: Uint8Array) => scanFile('saved_model.pb', bytesReader(bytes));
const codes = (bytes: Uint8Array): FindingCode[] => scan(bytes).findings.map((f) => f.code);
const messages = (bytes: Uint8Array): string[] => scan(bytes).findings.map((f) => f.message);

describe('SavedModels written by TensorFlow', () => {
  it.each([
    'keras-dense-export',
    'keras-dense-tfsave',
    'module-affine',
    'keras-conv-lstm-export',
    'keras-stringlookup-export',
    'keras-lambda-export',
    'tf1-session-builder',
  ])('%s passes, every file identified', (dir) => {
    const reports = scanDir(dir);
    expect(reports.flatMap((r) => r.findings)).toEqual([]);
    const formats = Object.fromEntries(reports.map((r) => [r.path, r.format]));
    expect(formats['saved_model.pb']).toBe('tf-savedmodel');
    expect(formats['variables/variables.index']).toBe('tf-ckpt-index');
    expect(formats['variables/variables.data-00000-of-00001']).toBe('tensor-data');
    if (dir !== 'tf1-session-builder') expect(formats['fingerprint.pb']).toBe('tf-fingerprint');
  });

  it.each([
    [
      'hostile-read-file',
      'SAVEDMODEL_OP',
      /node "ReadFile" in function "__inference_leak_\d+" uses ReadFile, which reads a file/,
    ],
    [
      'hostile-write-file',
      'SAVEDMODEL_OP',
      /node "WriteFile" in function "__inference_drop_\d+" uses WriteFile, which writes a file/,
    ],
    ['hostile-matching-files', 'SAVEDMODEL_OP', /in function "__inference_ls_\d+" uses MatchingFiles/],
    [
      'hostile-numpy-function',
      'SAVEDMODEL_OP',
      /node "PyFunc" in function "__inference_f_\d+" uses PyFunc, which runs a Python/,
    ],
    [
      'hostile-py-function',
      'SAVEDMODEL_OP',
      /in function "__inference_f_\d+" uses EagerPyFunc, which runs a Python/,
    ],
    [
      'hostile-restore-abs',
      'SAVEDMODEL_CHECKPOINT_PATH',
      /node "RestoreV2" in function "__inference_grab_\d+": RestoreV2 takes its path from the constant "\/etc\/passwd"/,
    ],
    [
      'hostile-restore-call-const',
      'SAVEDMODEL_CHECKPOINT_PATH',
      /node "StatefulPartitionedCall_2" of the main graph: a call of function "__inference__traced_restore_\d+".* from the constant "\/etc\/passwd"/,
    ],
    [
      'hostile-call-op-by-name',
      'SAVEDMODEL_OP',
      /node "StatefulPartitionedCall" in function "__inference_signature_wrapper_\d+" uses ReadFile/,
    ],
    ['hostile-asset-escape', 'SAVEDMODEL_ASSET_PATH', /asset file "\.\.\/\.\.\/\.\.\/etc\/passwd"/],
  ] as const)('%s fails with %s, naming the op and where it sits', (dir, code, message) => {
    const reports = scanDir(dir);
    const pbReport = reports.find((r) => r.path === 'saved_model.pb')!;
    expect(pbReport.verdict).toBe('fail');
    expect(pbReport.findings.map((f) => f.code)).toEqual([code]);
    expect(pbReport.findings[0]!.message).toMatch(message);
    // the other files of the model are fine: only the graph is blamed
    expect(reports.filter((r) => r.verdict === 'fail').map((r) => r.path)).toEqual(['saved_model.pb']);
  });

  it('a WriteFile hidden in a serialized dataset graph fails at DatasetFromGraph', () => {
    const r = scanDir('hostile-dataset-from-graph').find((x) => x.path === 'saved_model.pb')!;
    expect(r.findings.map((f) => f.code)).toEqual(['SAVEDMODEL_OP', 'SAVEDMODEL_OP_UNKNOWN']);
    expect(r.findings[0]!.message).toMatch(
      /^node "DatasetFromGraph" in function "__inference_run_\d+" uses DatasetFromGraph, which builds a dataset from a serialized graph/,
    );
    expect(r.findings[1]!.message).toMatch(/uses ReduceDataset, which is not an op the scanner knows/);
  });

  it('keras_metadata.pb with a Lambda layer fails like a Keras .h5 config does', () => {
    const r = scanDir('keras-metadata-lambda').find((x) => x.path === 'keras_metadata.pb')!;
    expect(r.format).toBe('keras-metadata');
    expect(r.findings.map((f) => f.code)).toEqual(['KERAS_LAMBDA']);
    expect(r.findings[0]!.message).toMatch(/keras_metadata node "root": Keras Lambda layer "double"/);
  });

  it('a data shard is accepted only through its index, and only at the size the index gives', () => {
    const dir = join(VECTORS, 'module-affine', 'variables');
    const data = readFileSync(join(dir, 'variables.data-00000-of-00001'));
    const claims = tensorBundleData(
      'variables/variables.index',
      bytesReader(readFileSync(join(dir, 'variables.index'))),
    );
    const claim = claims.get('variables/variables.data-00000-of-00001')!;
    expect(claim.bytes).toBe(data.byteLength);
    // alone, raw tensor bytes are not identifiable: they fail closed
    expect(scanFile('d', bytesReader(data)).verdict).toBe('fail');
    const cut = scanFile('d', bytesReader(data.subarray(0, data.byteLength - 4)), { tensorData: claim });
    expect(cut.findings.map((f) => f.code)).toEqual(['SAVEDMODEL_VARIABLES']);
    expect(cut.findings[0]!.message).toMatch(/variables\/variables\.index places tensors in 260/);
    expect(tensorBundleData('variables/other.bin', bytesReader(data)).size).toBe(0);
    // a zip appended to the tensors: Python's zipfile reads from the end
    const zipped = cat(data, 'PK\x05\x06', new Uint8Array(18));
    const z = scanFile('d', bytesReader(zipped), { tensorData: { ...claim, bytes: zipped.byteLength } });
    expect(z.findings.map((f) => f.message)).toEqual([
      'ends with a zip end record, so a zip reader would open it as an archive',
    ]);
  });
});

const base: MetaGraphParts = {
  nodes: saverNodes,
  functions: saverFunctions,
  saverFilename: 'saver_filename:0',
};

describe('SavedModel graphs built from the .proto files', () => {
  it('the standard save/restore plumbing passes', () => {
    expect(codes(savedModel(base))).toEqual([]);
  });

  it('an op off the allowlist fails closed, by name', () => {
    const m = savedModel({
      ...base,
      functions: [...saverFunctions, fn('f', ['x'], [node('n1', 'FancyNewOp', ['x'])])],
    });
    expect(codes(m)).toEqual(['SAVEDMODEL_OP_UNKNOWN']);
    expect(messages(m)[0]).toBe(
      'node "n1" in function "f" uses FancyNewOp, which is not an op the scanner knows to stay in memory',
    );
  });

  it('an op used by many nodes of one function is one finding with a count', () => {
    const nodes = [1, 2, 3].map((i) => node(`r${i}`, 'ReadFile'));
    const m = savedModel({ ...base, functions: [...saverFunctions, fn('f', [], nodes)] });
    expect(messages(m)).toEqual(['node "r1" in function "f" uses ReadFile, which reads a file (3 nodes)']);
  });

  it('PrintV2 passes to stderr, fails to a file', () => {
    const print = (stream: string) =>
      savedModel({
        ...base,
        nodes: [...saverNodes, node('p', 'PrintV2', ['x'], { output_stream: sAttr(stream) })],
      });
    expect(codes(print('stderr'))).toEqual([]);
    expect(codes(print('file:///tmp/leak'))).toEqual(['SAVEDMODEL_OP']);
  });

  it('a function attribute naming an op, anywhere, is checked as that op', () => {
    const nested = node('w', 'While', ['x'], {
      body: funcAttr('b', { inner: funcAttr('WriteFile') }),
      cond: funcAttr('c'),
    });
    const m = savedModel({
      ...base,
      functions: [...saverFunctions, fn('b', [], []), fn('c', [], []), fn('f', ['x'], [nested])],
    });
    expect(messages(m)).toEqual(['node "w" in function "f" uses WriteFile, which writes a file']);
  });

  it('a restore function handed a path from a caller of the model fails', () => {
    const leak = fn(
      'leak',
      ['path'],
      [node('call', 'PartitionedCall', ['path', 'v'], { f: funcAttr('__inference__traced_restore_2') })],
    );
    const m = savedModel({ ...base, functions: [...saverFunctions, leak], entryFunctions: ['leak'] });
    expect(codes(m)).toEqual(['SAVEDMODEL_CHECKPOINT_PATH']);
    expect(messages(m)[0]).toBe(
      'function "leak" can be called on the loaded model and uses its argument as a checkpoint path',
    );
  });

  it('a path built from a constant, two calls deep, fails at the constant', () => {
    const outer = fn(
      'outer',
      [],
      [
        constNode('p', '/root/.ssh/id_rsa'),
        constNode('sfx', '_temp/part'),
        node('j', 'StringJoin', ['p:output:0', 'sfx:output:0']),
        node('c', 'StatefulPartitionedCall', ['j:output:0'], { f: funcAttr('inner') }),
      ],
    );
    const inner = fn(
      'inner',
      ['a'],
      [node('c2', 'PartitionedCall', ['a', 'v'], { f: funcAttr('__inference__traced_restore_2') })],
    );
    const m = savedModel({ ...base, functions: [...saverFunctions, outer, inner] });
    expect(codes(m)).toEqual(['SAVEDMODEL_CHECKPOINT_PATH']);
    expect(messages(m)[0]).toMatch(
      /node "c" in function "outer": a call of function "inner".* from the constant "\/root\/\.ssh\/id_rsa"/,
    );
  });

  it('what StringJoin appends to the loader path must be a saver suffix: no climbing out', () => {
    const save = (suffix: Uint8Array[], attrs: Record<string, Uint8Array> = {}) =>
      savedModel({
        ...base,
        functions: [
          ...saverFunctions.slice(1),
          fn(
            '__inference__traced_save_1',
            ['file_prefix', 'v'],
            [
              ...suffix,
              node('j', 'StringJoin', ['file_prefix', 'sfx:output:0'], attrs),
              node('SaveV2', 'SaveV2', ['j:output:0', 'names:output:0', 'slices:output:0', 'v']),
            ],
          ),
        ],
      });
    const select = [
      constNode('a', '.part'),
      constNode('b', '_temp_6f1c2b/part'),
      node('sfx', 'Select', ['cond:output:0', 'a:output:0', 'b:output:0']),
    ];
    expect(codes(save(select))).toEqual([]);
    expect(messages(save([constNode('sfx', '/../../../../etc/cron.d/x')]))).toEqual([
      'node "SaveV2" in function "__inference__traced_save_1": SaveV2 takes its path from StringJoin node "j", which appends the constant "/../../../../etc/cron.d/x", not from the path the loader passes in',
    ]);
    expect(messages(save([constNode('sfx', '.part')], { separator: sAttr('/../../') }))[0]).toMatch(
      /appends with the separator "\/\.\.\/\.\.\/"/,
    );
    expect(messages(save([node('sfx', 'ReadFile', ['x'])]))).toContainEqual(
      expect.stringMatching(/appends the output of ReadFile node "sfx"/),
    );
  });

  it('a checkpoint function reached through control flow, or a signature fed the saver path, fails', () => {
    const loop = node('w', 'While', ['saver_filename'], {
      body: funcAttr('__inference__traced_restore_2'),
      cond: funcAttr('c'),
    });
    const m1 = savedModel({
      ...base,
      nodes: [...saverNodes, loop],
      functions: [...saverFunctions, fn('c', [], [])],
    });
    expect(messages(m1)).toEqual([
      'node "w" of the main graph passes values through attribute "body" to function "__inference__traced_restore_2", which uses them as a checkpoint path',
    ]);
    const m2 = savedModel({ ...base, signatureInputs: ['saver_filename:0'] });
    expect(codes(m2)).toEqual(['SAVEDMODEL_CHECKPOINT_PATH']);
  });

  it('a TF1 saver filename Const must be a bare default name', () => {
    const tf1 = (value: string) =>
      savedModel({
        saverFilename: 'save/Const:0',
        nodes: [
          constNode('save/filename/input', value),
          node('save/Const', 'PlaceholderWithDefault', ['save/filename/input']),
          node('save/RestoreV2', 'RestoreV2', ['save/Const', 'names', 'slices']),
        ],
      });
    expect(codes(tf1('model'))).toEqual([]);
    expect(messages(tf1('/etc/passwd'))[0]).toMatch(
      /node "save\/RestoreV2" of the main graph: RestoreV2 takes its path from the constant "\/etc\/passwd"/,
    );
  });

  it('tf.keras object metadata with a Lambda fails; a text-format SavedModel is refused', () => {
    const json = JSON.stringify({ class_name: 'Lambda', config: { name: 'l' } });
    expect(codes(savedModel({ ...base, userMetadata: [{ identifier: '_tf_keras_layer', json }] }))).toEqual([
      'KERAS_LAMBDA',
    ]);
    expect(
      messages(savedModel({ ...base, userMetadata: [{ identifier: '_tf_keras_layer', json }] })),
    ).toEqual([
      'object "_tf_keras_layer" metadata: Keras Lambda layer "l" carries Python code that runs when the model loads',
    ]);
    expect(messages(savedModel({ ...base, userMetadata: [{ identifier: 'k', json: '{' }] }))).toEqual([
      'object "k" carries metadata that is not JSON',
    ]);
    const text = scanFile(
      'saved_model.pbtxt',
      bytesReader(cat('# x\nsaved_model_schema_version: 1\nmeta_graphs {\n}\n')),
    );
    expect(text.findings.map((f) => f.code)).toEqual(['FORMAT_NOT_ANALYSED']);
  });

  it('keras_metadata.pb with plain layers passes; a sentencepiece model is still one', () => {
    const obj = (path: string, json: string) =>
      pb.bytes(1, cat(pb.int(2, 0), pb.bytes(3, path), pb.bytes(4, '_tf_keras_layer'), pb.bytes(5, json)));
    const meta = cat(obj('root', JSON.stringify({ class_name: 'Dense', config: { units: 2 } })));
    const r = scanFile('keras_metadata.pb', bytesReader(meta));
    expect([r.format, r.verdict]).toEqual(['keras-metadata', 'pass']);
    const custom = cat(
      meta,
      obj('root.l', JSON.stringify({ class_name: 'Evil', module: 'evil.layers', config: {} })),
    );
    expect(scanFile('k', bytesReader(custom)).findings.map((f) => f.code)).toEqual(['KERAS_CUSTOM_OBJECT']);
    const broken = scanFile('k', bytesReader(cat(meta, obj('root.b', '{"class_name": '))));
    expect(broken.findings).toEqual([
      {
        code: 'JSON_MALFORMED',
        message: 'keras_metadata node "root.b" is not JSON, so what Keras builds from it is unknown',
      },
    ]);
    // SentencePiece ModelProto: pieces = 1 (piece = 1, score = 2 as a float)
    const sp = cat(pb.bytes(1, cat(pb.bytes(1, '<unk>'), [0x15, 0, 0, 0, 0])));
    expect(scanFile('tokenizer.model', bytesReader(sp)).format).toBe('sentencepiece');
  });

  it('a node name given twice is malformed: the dataflow check would have to pick one', () => {
    const m = savedModel({ ...base, nodes: [...saverNodes, node('saver_filename', 'Const')] });
    expect(messages(m)[0]).toBe('node "saver_filename" of the main graph is defined twice');
    expect(codes(m)[0]).toBe('SAVEDMODEL_MALFORMED');
  });

  it('only a fingerprint-sized, fingerprint-shaped file is a fingerprint; an ONNX graph is not', () => {
    const fp = cat(
      pb.int(1, 12345),
      pb.int(2, 6),
      pb.int(5, 7),
      pb.bytes(6, pb.int(1, 4)),
      pb.bytes(7, '2331591'),
    );
    expect(scanFile('fingerprint.pb', bytesReader(fp)).format).toBe('tf-fingerprint');
    // ONNX ir_version, a varint where producer_name belongs, and a graph with a custom-domain node
    const graph = pb.bytes(1, cat(pb.bytes(4, 'Evil'), pb.bytes(7, 'evil.domain')));
    const onnx = cat(pb.int(1, 7), pb.int(2, 1), pb.bytes(7, graph));
    const r = scanFile('model.onnx', bytesReader(onnx));
    expect(r.format).toBe('onnx');
    expect(r.verdict).toBe('fail');
  });

  it('the allowlist and the named unsafe ops do not overlap', () => {
    expect([...KNOWN_UNSAFE_OPS.keys()].filter((o) => PURE_OPS.has(o))).toEqual([]);
  });
});

describe('hostile and broken SavedModel files never throw and never hang', () => {
  const typed = (r: FileReport) => {
    for (const f of r.findings) expect(FINDING_CODES).toContain(f.code);
    expect(r.findings.map((f) => f.code)).not.toContain('READ_ERROR');
  };
  const files = ['module-affine', 'keras-conv-lstm-export', 'hostile-restore-abs'].flatMap((d) =>
    ['saved_model.pb', 'variables/variables.index', 'fingerprint.pb'].map((f) =>
      readFileSync(join(VECTORS, d, f)),
    ),
  );

  it('every truncation of a real saved_model.pb is a typed finding', () => {
    const b = readFileSync(join(VECTORS, 'module-affine', 'saved_model.pb'));
    for (let n = 1; n < b.byteLength; n += 97) {
      const r = scan(b.subarray(0, n));
      typed(r);
      expect(r.verdict).toBe('fail');
    }
  });

  it('400 random byte flips over the vectors', () => {
    let seed = 11;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    for (let i = 0; i < 400; i++) {
      const b = Buffer.from(files[i % files.length]!);
      for (let k = 0; k < 4; k++) b[rand() % b.byteLength] = rand() & 0xff;
      typed(scan(b));
      typed(scanFile('d', bytesReader(b), { tensorData: { index: 'i', bytes: 3 } }));
    }
  });

  it('huge lengths, deep attribute nesting and node floods are refused with typed findings', () => {
    // a meta graph claiming 2^60 bytes
    const huge = cat(pb.int(1, 1), pb.varint(2 * 8 + 2), pb.varint(2 ** 60));
    typed(scan(huge));
    let attr = funcAttr('f');
    for (let i = 0; i < 2000; i++) attr = funcAttr('f', { a: attr });
    const deep = savedModel({ nodes: [node('n', 'PartitionedCall', [], { f: attr })] });
    expect(codes(deep)).toEqual(['SAVEDMODEL_MALFORMED']);
    expect(messages(deep)[0]).toMatch(/nest deeper than 8/);
    const name = savedModel({ nodes: [node('x'.repeat(20_000), 'NoOp')] });
    expect(codes(name)).toEqual(['SAVEDMODEL_MALFORMED']);
    const flood = savedModel({ nodes: Array.from({ length: 50_000 }, (_, i) => node(`n${i}`, 'NoOp')) });
    expect(codes(flood)).toEqual([]);
  });

  it('checkpoint indexes built from the table format: shards, and what is refused', () => {
    const two = tfTable([
      ['', bundleHeader(2)],
      ['a', bundleEntry(0, 0, 16)],
      ['b', bundleEntry(1, 8, 8)],
    ]);
    expect(scanFile('v.index', bytesReader(two)).format).toBe('tf-ckpt-index');
    expect([...tensorBundleData('m/v.index', bytesReader(two))]).toEqual([
      ['m/v.data-00000-of-00002', { index: 'm/v.index', bytes: 16 }],
      ['m/v.data-00001-of-00002', { index: 'm/v.index', bytes: 16 }],
    ]);
    const refused = (t: Uint8Array) => scanFile('v.index', bytesReader(t)).findings.map((f) => f.message);
    expect(
      refused(
        tfTable([
          ['', bundleHeader(1)],
          ['a', bundleEntry(3, 0, 4)],
        ]),
      ),
    ).toEqual(['checkpoint index: tensor "a" lies in shard 3 of 1']);
    expect(refused(tfTable([['', bundleHeader(1)]], { compression: 1 }))[0]).toMatch(
      /compressed with method 1/,
    );
    expect(refused(tfTable([['', bundleHeader(1)]], { indexRepeats: 50 }))[0]).toMatch(/overlap or repeat/);
    expect(refused(tfTable([['a', bundleEntry(0, 0, 4)]]))[0]).toMatch(/before the header/);
    expect(refused(tfTable([['', bundleHeader(0)]]))[0]).toMatch(/names 0 shards/);
  });

  it('a checkpoint index must be only its blocks: a polyglot hiding another format fails', () => {
    const refused = (t: Uint8Array) => scanFile('v.index', bytesReader(t)).findings.map((f) => f.message);
    const ok: [string, Uint8Array][] = [['', bundleHeader(1)]];
    expect(refused(tfTable(ok))).toEqual([]);
    // an ONNX model (ir_version, an empty graph) before the blocks: the magic at the end would vouch for it
    expect(refused(tfTable(ok, { lead: cat(pb.int(1, 7), pb.bytes(7, '')) }))).toEqual([
      'checkpoint index: bytes 0-4 belong to no block',
    ]);
    // a zip's records inside the blocks: zip readers find them from the end
    expect(refused(tfTable([...ok, ['PK\x05\x06', bundleEntry(0, 0, 4)]]))[0]).toMatch(/holds a zip record/);
    expect(refused(tfTable([...ok, ['a', cat(pb.int(9, 1))]]))[0]).toMatch(/"a" is not a BundleEntryProto/);
  });

  it('a hostile checkpoint index: bad footer handles', () => {
    const idx = readFileSync(join(VECTORS, 'module-affine', 'variables', 'variables.index'));
    const footer = idx.byteLength - 48;
    const bad = Buffer.from(idx);
    bad.fill(0xff, footer, footer + 10);
    expect(scanFile('i', bytesReader(bad)).findings.map((f) => f.code)).toEqual(['SAVEDMODEL_VARIABLES']);
    expect(tensorBundleData('v.index', bytesReader(bad)).size).toBe(0);
  });
});

describe('the profile records the TensorFlow op allowlist', () => {
  it('version 3, and the ops are part of the digested document', () => {
    const doc = profileDocument(WEIGHTS_ONLY_PROFILE) as { version: number; tfOps: string[] };
    expect(doc.version).toBe(3);
    expect(doc.tfOps).toContain('MatMul');
    expect(doc.tfOps).not.toContain('ReadFile');
    const narrower = { ...WEIGHTS_ONLY_PROFILE, tfOps: new Set(['NoOp']) };
    expect(profileDigest(narrower)).not.toBe(profileDigest(WEIGHTS_ONLY_PROFILE));
    const m = savedModel({ nodes: [node('m', 'MatMul')] });
    expect(scanFile('p', bytesReader(m), { profile: narrower }).findings.map((f) => f.code)).toEqual([
      'SAVEDMODEL_OP_UNKNOWN',
    ]);
  });
});
