import { describe, expect, it } from 'vitest';
import { bytesReader, ML_PROFILE, scanFile, WEIGHTS_ONLY_PROFILE } from '../src/index.ts';
import { cat, P, zip } from './builders.ts';

/**
 * A PyTorch checkpoint built byte for byte from the format torch.save (>= 1.6) writes, as documented
 * in torch/serialization.py and caffe2/serialize/inline_container.cc:
 * - a zip archive, every member stored (method 0) and its data 64-byte aligned by an "FB" extra
 *   field in the local header, all under one directory named after the archive (`archive/`);
 * - `archive/data.pkl`: the object pickled with protocol 2, where each tensor is
 *   `torch._utils._rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad,
 *   backward_hooks)` and the storage is a persistent id `('storage', torch.FloatStorage, key,
 *   location, numel)` (BINPERSID), resolved by torch to the member `archive/data/<key>`;
 * - `archive/data/<key>`: the raw little-endian storage bytes, never unpickled;
 * - `archive/version` ("3\n"), `archive/byteorder` ("little"), `archive/.format_version`,
 *   `archive/.storage_alignment` and `archive/.data/serialization_id`: small text records.
 * A state dict is an OrderedDict whose `_metadata` attribute arrives through BUILD.
 */
function stateDictPickle(): Uint8Array {
  return cat(
    P.proto(2),
    P.global('collections', 'OrderedDict'),
    P.binput(0),
    P.emptyTuple,
    P.reduce,
    P.binput(1),
    P.mark,
    P.binunicode('linear.weight'),
    P.binput(2),
    P.global('torch._utils', '_rebuild_tensor_v2'),
    P.binput(3),
    P.mark,
    P.mark,
    P.binunicode('storage'),
    P.binput(4),
    P.global('torch', 'FloatStorage'),
    P.binput(5),
    P.binunicode('0'),
    P.binput(6),
    P.binunicode('cpu'),
    P.binput(7),
    P.binint1(6),
    P.tuple,
    P.binput(8),
    P.binpersid,
    P.binint1(0),
    P.binint1(2),
    P.binint1(3),
    P.tuple2,
    P.binput(9),
    P.binint1(3),
    P.binint1(1),
    P.tuple2,
    P.binput(10),
    P.newfalse,
    P.binget(0),
    P.emptyTuple,
    P.reduce,
    P.binput(11),
    P.tuple,
    P.binput(12),
    P.reduce,
    P.binput(13),
    P.setitems,
    // state: {'_metadata': OrderedDict([('', {'version': 1})])}
    P.emptyDict,
    P.binput(14),
    P.binunicode('_metadata'),
    P.binput(15),
    P.binget(0),
    P.emptyTuple,
    P.reduce,
    P.binput(16),
    P.binunicode(''),
    P.emptyDict,
    P.binput(17),
    P.binunicode('version'),
    P.binint1(1),
    [0x73], // SETITEM
    [0x73],
    [0x73],
    P.build,
    P.stop,
  );
}

function checkpoint(pickle: Uint8Array, extra: { name: string; data: Uint8Array }[] = []): Uint8Array {
  const floats = new Uint8Array(new Float32Array([1, 2, 3, 4, 5, 6]).buffer);
  return zip(
    [
      { name: 'archive/data.pkl', data: pickle },
      { name: 'archive/.format_version', data: cat('1') },
      { name: 'archive/.storage_alignment', data: cat('64') },
      { name: 'archive/byteorder', data: cat('little') },
      { name: 'archive/data/0', data: floats },
      { name: 'archive/version', data: cat('3\n') },
      { name: 'archive/.data/serialization_id', data: cat('1479233510953406117109423706283474003710') },
      ...extra,
    ],
    { align: 64 },
  );
}

describe('PyTorch checkpoints', () => {
  it('a state dict in the torch.save zip layout passes the weights-only profile', () => {
    const r = scanFile('model.pt', bytesReader(checkpoint(stateDictPickle())));
    expect(r.findings).toEqual([]);
    expect(r.verdict).toBe('pass');
    expect(r.format).toBe('pytorch-zip');
    expect(r.globals).toEqual([
      'collections.OrderedDict',
      'torch._utils._rebuild_tensor_v2',
      'torch.FloatStorage',
    ]);
    expect(r.members).toContainEqual({ path: 'archive/data/0', format: 'tensor-data' });
    expect(r.members).toContainEqual({ path: 'archive/data.pkl', format: 'pickle' });
  });

  it('never unpickles the storages, even when their bytes look like a pickle', () => {
    const evil = cat(P.proto(2), P.global('os', 'system'), P.binunicode('id'), P.tuple1, P.reduce, P.stop);
    const r = scanFile(
      'model.pt',
      bytesReader(checkpoint(stateDictPickle(), [{ name: 'archive/data/1', data: evil }])),
    );
    expect(r.verdict).toBe('pass');
  });

  it('fails the same checkpoint when data.pkl imports something else', () => {
    const tampered = cat(
      P.proto(2),
      P.global('torch.serialization', 'load'),
      P.binunicode('/tmp/x'),
      P.tuple1,
      P.reduce,
      P.stop,
    );
    const r = scanFile('model.pt', bytesReader(checkpoint(tampered)));
    expect(r.verdict).toBe('fail');
    expect(r.findings[0]).toMatchObject({
      code: 'GLOBAL_NOT_ALLOWED',
      global: 'torch.serialization.load',
      member: 'archive/data.pkl',
    });
  });

  it('a persistent id that is not a storage reference is a finding', () => {
    const pickle = cat(P.proto(2), P.binunicode('module'), P.binpersid, P.stop);
    const r = scanFile('model.pt', bytesReader(checkpoint(pickle)));
    expect(r.findings.map((f) => f.code)).toEqual(['PICKLE_PERSID']);
  });

  it('TorchScript archives fail: their code/ is compiled and run', () => {
    const r = scanFile(
      'model.pt',
      bytesReader(
        checkpoint(stateDictPickle(), [
          { name: 'archive/code/__torch__.py', data: cat('def forward(self): ...') },
        ]),
      ),
      { profile: ML_PROFILE },
    );
    expect(r.format).toBe('torchscript');
    expect(r.findings.map((f) => f.code)).toEqual(['TORCHSCRIPT_CODE']);
  });

  it('the allowlists: exact names only, blocked modules never', () => {
    expect(WEIGHTS_ONLY_PROFILE.globals.has('torch._utils._rebuild_tensor_v2')).toBe(true);
    expect(WEIGHTS_ONLY_PROFILE.globals.has('torch.float8_e8m0fnu')).toBe(true);
    expect(WEIGHTS_ONLY_PROFILE.globals.has('numpy.ndarray')).toBe(false);
    for (const g of ML_PROFILE.globals) expect(/^(os|posix|nt|sys)\./.test(g), g).toBe(false);
    for (const [g, why] of ML_PROFILE.justifications) {
      expect(ML_PROFILE.globals.has(g)).toBe(true);
      expect(why.length, g).toBeGreaterThan(40);
    }
    // a prefix of an allowed name is not allowed
    const r = scanFile('x.pkl', bytesReader(cat(P.proto(2), P.global('torch', '_utils'), P.stop)));
    expect(r.findings[0]).toMatchObject({ code: 'GLOBAL_NOT_ALLOWED', global: 'torch._utils' });
  });
});
