import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readHdf5 } from '../src/formats/hdf5.ts';
import { bytesReader, type FindingCode, ML_PROFILE, scanFile, WEIGHTS_ONLY_PROFILE } from '../src/index.ts';

// written by h5py 3 / Keras 3 / torch 2.13, not by us: see vectors/SOURCE.md
const vector = (dir: string, name: string) => readFileSync(join(import.meta.dirname, 'vectors', dir, name));
const scan = (bytes: Uint8Array, name = 'm.h5', profile = WEIGHTS_ONLY_PROFILE) =>
  scanFile(name, bytesReader(bytes), { profile });
const codes = (bytes: Uint8Array): FindingCode[] => scan(bytes).findings.map((f) => f.code);

describe('HDF5 and Keras files written by h5py and Keras', () => {
  it.each([
    ['keras-dense.h5', []],
    ['keras-dense.weights.h5', []],
    ['h5py-plain.h5', []],
    ['h5py-many-groups.h5', []],
    ['keras-lambda.h5', ['KERAS_LAMBDA', 'KERAS_LAMBDA']],
    ['h5py-latest.h5', ['KERAS_LAMBDA']],
    ['h5py-pickle-attr.h5', ['GLOBAL_NOT_ALLOWED']],
    ['h5py-vlen-objects.h5', ['HDF5_OBJECT_DATA']],
    ['h5py-external-link.h5', ['HDF5_EXTERNAL']],
    ['h5py-external-data.h5', ['HDF5_EXTERNAL']],
    ['h5py-dense-attrs.h5', ['FORMAT_NOT_ANALYSED']],
  ] as const)('%s: %j', (name, expected) => {
    for (const profile of [WEIGHTS_ONLY_PROFILE, ML_PROFILE]) {
      const r = scan(vector('keras', name), name, profile);
      expect(r.format).toBe('hdf5');
      expect(r.findings.map((f) => f.code)).toEqual(expected);
      expect(r.verdict).toBe(expected.length === 0 ? 'pass' : 'fail');
    }
  });

  it('names what it found: the Lambda layer, the pickled global, the dataset, the link', () => {
    const msg = (name: string) => scan(vector('keras', name)).findings.map((f) => f.message);
    expect(msg('keras-lambda.h5')[0]).toMatch(/model_config.*Lambda layer "double"/);
    expect(scan(vector('keras', 'h5py-pickle-attr.h5')).findings[0]).toMatchObject({
      global: 'posix.system',
      member: '/w@meta',
    });
    expect(msg('h5py-vlen-objects.h5')[0]).toMatch(/^\/objs: .*variable-length/);
    expect(msg('h5py-external-link.h5')[0]).toMatch(/^\/ext: an external link/);
  });

  it('walks every group through multi-level symbol-table B-trees', () => {
    const f = readHdf5(bytesReader(vector('keras', 'h5py-many-groups.h5')));
    expect(f.issues).toEqual([]);
    expect(f.objects).toBe(301);
    expect(new Set(f.attributes.map((a) => a.object)).size).toBe(300);
    expect(f.attributes.find((a) => a.object === '/g299')?.name).toBe('i');
  });

  it('reads the Keras config of the root group: a vlen string from the global heap', () => {
    const f = readHdf5(bytesReader(vector('keras', 'keras-dense.h5')));
    const cfg = f.attributes.find((a) => a.object === '/' && a.name === 'model_config');
    const json = JSON.parse(Buffer.from(cfg!.values[0]!).toString('utf8'));
    expect(json.class_name).toBe('Sequential');
    expect(f.objects).toBeGreaterThan(5);
  });

  it('a Keras 3 .keras archive passes with its weights member analysed, in both profiles', () => {
    for (const profile of [WEIGHTS_ONLY_PROFILE, ML_PROFILE]) {
      const r = scan(vector('keras', 'keras-dense.keras'), 'm.keras', profile);
      expect(r.format).toBe('keras');
      expect(r.findings).toEqual([]);
      expect(r.members.map((m) => m.format)).toContain('hdf5');
    }
  });
});

describe('torch.save checkpoints written by torch itself', () => {
  it('a state dict passes weights-only; a pickled __reduce__ to os.system fails naming it', () => {
    expect(scan(vector('torch', 'torch-state-dict.pt'), 'w.pt').verdict).toBe('pass');
    const evil = scan(vector('torch', 'torch-evil.pt'), 'w.pt');
    expect(evil.format).toBe('pytorch-zip');
    expect(evil.findings.map((f) => [f.code, f.global])).toEqual([['GLOBAL_NOT_ALLOWED', 'posix.system']]);
  });
});

describe('hostile HDF5', () => {
  const base = vector('keras', 'keras-lambda.h5');

  it('every truncation is a coded failure, never a throw', () => {
    for (let n = 8; n < base.byteLength; n += 61) {
      const r = scan(base.subarray(0, n));
      expect(r.verdict, `cut at ${n}`).toBe('fail');
      expect(r.findings.length).toBeGreaterThan(0);
    }
  });

  it('random byte flips never throw and stay bounded', () => {
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    const t0 = performance.now();
    for (let i = 0; i < 400; i++) {
      const b = Buffer.from(base);
      for (let k = 0; k < 4; k++) b[rand() % b.byteLength] = rand() & 0xff;
      const r = scan(b);
      expect(['pass', 'fail']).toContain(r.verdict);
    }
    expect(performance.now() - t0).toBeLessThan(20_000);
  });

  it('a continuation block that points at itself is refused, not followed forever', () => {
    const b = superblockV2(48);
    // root OHDR at 48: one continuation message pointing at the OCHK block at 80
    b.write('OHDR', 48, 'latin1');
    b[52] = 2;
    b[53] = 0;
    b[54] = 20;
    b[55] = 0x10;
    b.writeUInt16LE(16, 56);
    b.writeBigUInt64LE(80n, 59);
    b.writeBigUInt64LE(32n, 67);
    // OCHK at 80: a continuation to itself
    b.write('OCHK', 80, 'latin1');
    b[84] = 0x10;
    b.writeUInt16LE(16, 85);
    b.writeBigUInt64LE(80n, 88);
    b.writeBigUInt64LE(32n, 96);
    const r = scan(b);
    expect(r.findings.map((f) => f.code)).toEqual(['HDF5_MALFORMED']);
    expect(r.findings[0]?.message).toMatch(/loops/);
  });

  it('addresses past the end, unknown versions and wrong field sizes are coded', () => {
    expect(codes(superblockV2(1 << 30))).toEqual(['HDF5_MALFORMED']);
    const v9 = superblockV2(48);
    v9[8] = 9;
    expect(scan(v9).findings[0]?.message).toMatch(/superblock version 9/);
    const odd = superblockV2(48);
    odd[9] = 3;
    expect(scan(odd).findings[0]?.message).toMatch(/offset size 3/);
  });
});

function superblockV2(root: number): Buffer {
  const b = Buffer.alloc(128);
  b.write('\x89HDF\r\n\x1a\n', 0, 'latin1');
  b[8] = 2;
  b[9] = 8;
  b[10] = 8;
  b.fill(0xff, 20, 28);
  b.writeBigUInt64LE(128n, 28);
  b.writeBigUInt64LE(BigInt(root), 36);
  return b;
}
