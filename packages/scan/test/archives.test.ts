import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { bytesReader, type FindingCode, ML_PROFILE, scanFile } from '../src/index.ts';
import { cat, P, u32, zip, zip64 } from './builders.ts';

const scan = (bytes: Uint8Array, limits = {}) =>
  scanFile('a.zip', bytesReader(bytes), { archiveLimits: limits });
const codes = (bytes: Uint8Array, limits = {}): FindingCode[] =>
  scan(bytes, limits).findings.map((f) => f.code);
const evil = cat(P.proto(2), P.global('builtins', 'eval'), P.binunicode('1'), P.tuple1, P.reduce, P.stop);

describe('archives', () => {
  it('follows pickles into nested zips and names the member path', () => {
    const inner = zip([{ name: 'data.pkl', data: evil, deflate: true }]);
    const r = scan(zip([{ name: 'inner.zip', data: inner }]));
    expect(r.findings[0]).toMatchObject({
      code: 'GLOBAL_NOT_ALLOWED',
      global: 'builtins.eval',
      member: 'inner.zip!data.pkl',
    });
  });

  it('a zip bomb: a member declaring 10 GiB is refused without inflating it', () => {
    const r = scan(
      zip([{ name: 'big.bin', data: new Uint8Array(1000), deflate: true, declaredSize: 0xfffffff0 }]),
    );
    expect(r.findings.map((f) => f.code)).toEqual(['ZIP_BOMB']);
  });

  it('a zip bomb: a member that inflates past what it declares is cut at the declared size', () => {
    const t0 = performance.now();
    const heap0 = process.memoryUsage().heapUsed;
    // 64 MiB of zeros deflate to ~64 KiB; the header claims 1 KiB
    const r = scan(
      zip([{ name: 'z.bin', data: new Uint8Array(64 << 20), deflate: true, declaredSize: 1024 }]),
    );
    expect(r.findings.map((f) => f.code)).toEqual(['ZIP_BOMB']);
    expect(performance.now() - t0).toBeLessThan(5000);
    expect((process.memoryUsage().heapUsed - heap0) / 2 ** 20).toBeLessThan(64);
  });

  it('the expansion budget is shared across members and levels', () => {
    const member = { data: new Uint8Array(3 << 20), deflate: true };
    const archive = zip([1, 2, 3, 4].map((i) => ({ name: `m${i}.npy`, ...member })));
    const c = codes(archive, { maxExpanded: 8 << 20 });
    expect(c).toContain('ZIP_BOMB');
  });

  it('nesting past the depth limit is ARCHIVE_TOO_DEEP', () => {
    let z = zip([{ name: 'x.txt', data: cat('hello') }]);
    for (let i = 0; i < 6; i++) z = zip([{ name: `level${i}.zip`, data: z }]);
    expect(codes(z)).toContain('ARCHIVE_TOO_DEEP');
  });

  it('too many entries, overlapping entries and names that leave the archive are findings', () => {
    const many = zip(Array.from({ length: 50 }, (_, i) => ({ name: `f${i}.txt`, data: cat('x') })));
    expect(codes(many, { maxEntries: 10 })).toEqual(['ZIP_TOO_MANY_ENTRIES']);
    expect(codes(zip([{ name: '../etc/passwd', data: cat('x') }]))).toContain('ARCHIVE_BAD_NAME');
    // a second central entry pointing at the first local header
    const one = zip([{ name: 'a.txt', data: cat('hello') }]);
    const cdStart = one.byteLength - 22 - (46 + 5);
    const central = one.subarray(cdStart, one.byteLength - 22);
    const dup = cat(
      one.subarray(0, cdStart),
      central,
      cat(central).map((b, i) => (i === 46 ? 0x62 : b)),
      [0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0, 2, 0, 2, 0, ...u32(2 * central.byteLength), ...u32(cdStart), 0, 0],
    );
    expect(codes(dup)).toContain('ZIP_OVERLAP');
  });

  it('reads zip64 directories (what torch.save writes past 4 GiB)', () => {
    const r = scan(
      zip64([
        { name: 'archive/data.pkl', data: evil },
        { name: 'archive/data/0', data: new Uint8Array(8) },
      ]),
    );
    expect(r.format).toBe('pytorch-zip');
    expect(r.findings.map((f) => [f.code, f.global, f.member])).toEqual([
      ['GLOBAL_NOT_ALLOWED', 'builtins.eval', 'archive/data.pkl'],
    ]);
  });

  it('truncated and garbage zips are coded failures', () => {
    const z = zip([{ name: 'data.pkl', data: evil }]);
    expect(codes(z.subarray(0, z.byteLength - 30))).toEqual(['ZIP_MALFORMED']);
    expect(codes(cat('PK\x03\x04', new Uint8Array(100)))).toEqual(['ZIP_MALFORMED']);
  });

  it('npz: plain arrays pass, an object array is a pickle and is checked', () => {
    const npy = (descr: string, body: Uint8Array) => {
      const header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (2,), }`.padEnd(117) + '\n';
      return cat('\x93NUMPY', [1, 0], [header.length & 0xff, header.length >> 8], header, body);
    };
    const ok = scan(zip([{ name: 'a.npy', data: npy('<i8', new Uint8Array(16)) }]));
    expect(ok.verdict).toBe('pass');
    expect(ok.format).toBe('numpy-npz');
    const wrongSize = codes(zip([{ name: 'a.npy', data: npy('<i8', new Uint8Array(15)) }]));
    expect(wrongSize).toEqual(['NPY_SIZE']);
    const obj = scan(zip([{ name: 'a.npy', data: npy('|O', evil) }]));
    expect(obj.findings[0]).toMatchObject({
      code: 'GLOBAL_NOT_ALLOWED',
      global: 'builtins.eval',
      member: 'a.npy',
    });
  });

  it('tar and gzip are opened and their members identified by content', () => {
    const header = (name: string, size: number) => {
      const h = new Uint8Array(512);
      h.set(new TextEncoder().encode(name), 0);
      h.set(new TextEncoder().encode(`${size.toString(8).padStart(11, '0')}\0`), 124);
      h.set(new TextEncoder().encode('0000644\0'), 100);
      h[156] = 0x30;
      h.set(new TextEncoder().encode('ustar\x0000'), 257);
      h.fill(0x20, 148, 156);
      const sum = h.reduce((a, b) => a + b, 0);
      h.set(new TextEncoder().encode(`${sum.toString(8).padStart(6, '0')}\0 `), 148);
      return h;
    };
    const body = cat(evil, new Uint8Array(512 - (evil.byteLength % 512)));
    const tar = cat(header('model/notes.txt', evil.byteLength), body, new Uint8Array(1024));
    const r = scan(tar);
    expect(r.format).toBe('tar');
    expect(r.findings[0]).toMatchObject({ global: 'builtins.eval', member: 'model/notes.txt' });
    const gz = scan(new Uint8Array(gzipSync(tar)));
    expect(gz.format).toBe('gzip');
    expect(gz.findings[0]).toMatchObject({ global: 'builtins.eval' });
  });

  it('a .keras archive: Lambda layers fail, and the weights member is analysed as HDF5 in every profile', () => {
    const config = JSON.stringify({
      class_name: 'Sequential',
      config: {
        layers: [{ module: 'keras.layers', class_name: 'Lambda', config: { name: 'l', function: {} } }],
      },
    });
    const keras = zip([
      { name: 'metadata.json', data: cat('{"keras_version": "3.5.0"}') },
      { name: 'config.json', data: cat(config) },
      { name: 'model.weights.h5', data: cat('\x89HDF\r\n\x1a\n', new Uint8Array(100)) },
    ]);
    const def = scan(keras);
    expect(def.format).toBe('keras');
    // a magic followed by zeros is no HDF5 file: superblock version 0 pointing at address 0
    expect(def.findings.map((f) => f.code).sort()).toEqual(['HDF5_MALFORMED', 'KERAS_LAMBDA']);
    const ml = scanFile('m.keras', bytesReader(keras), { profile: ML_PROFILE });
    expect(ml.findings.map((f) => f.code).sort()).toEqual(['HDF5_MALFORMED', 'KERAS_LAMBDA']);
  });
});
