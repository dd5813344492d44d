/**
 * Byte builders for test inputs: pickle opcodes, zip archives, safetensors, GGUF and protobuf.
 * Each writes the format from its specification, independently of the code under test.
 */
import { crc32, deflateRawSync } from 'node:zlib';

const enc = new TextEncoder();

export const cat = (...parts: (Uint8Array | number[] | string)[]): Uint8Array =>
  new Uint8Array(
    Buffer.concat(
      parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p as number[]))),
    ),
  );

export const u16 = (n: number) => [n & 0xff, (n >> 8) & 0xff];
export const u32 = (n: number) => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff];
export const u64 = (n: number | bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return [...b];
};

/** pickle opcodes as Python's pickle.py names them */
export const P = {
  proto: (n: number) => [0x80, n],
  frame: (n: number) => [0x95, ...u64(n)],
  global: (module: string, name: string) => `c${module}\n${name}\n`,
  binunicode: (s: string) => cat([0x58, ...u32(enc.encode(s).byteLength)], enc.encode(s)),
  shortBinunicode: (s: string) => cat([0x8c, enc.encode(s).byteLength], enc.encode(s)),
  binput: (i: number) => [0x71, i],
  longBinput: (i: number) => [0x72, ...u32(i)],
  binget: (i: number) => [0x68, i],
  binint1: (n: number) => [0x4b, n],
  memoize: [0x94],
  mark: [0x28],
  tuple: [0x74],
  tuple1: [0x85],
  tuple2: [0x86],
  emptyTuple: [0x29],
  emptyList: [0x5d],
  emptyDict: [0x7d],
  list: [0x6c],
  append: [0x61],
  setitems: [0x75],
  reduce: [0x52],
  build: [0x62],
  binpersid: [0x51],
  newfalse: [0x89],
  none: [0x4e],
  stackGlobal: [0x93],
  pop: [0x30],
  stop: [0x2e],
};

export interface ZipInput {
  readonly name: string;
  readonly data: Uint8Array;
  readonly deflate?: boolean;
  /** lie about the uncompressed size in both headers */
  readonly declaredSize?: number;
}

export interface ZipOptions {
  /** pad each local header with an extra field (id "FB", as PyTorch's writer does) so data starts aligned */
  readonly align?: number;
}

/** A zip written from APPNOTE.TXT: local headers, data, central directory, end record. */
export function zip(entries: readonly ZipInput[], opts: ZipOptions = {}): Uint8Array {
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = enc.encode(e.name);
    const body = e.deflate ? new Uint8Array(deflateRawSync(e.data)) : e.data;
    const method = e.deflate ? 8 : 0;
    const crc = crc32(e.data);
    const usize = e.declaredSize ?? e.data.byteLength;
    const common = [
      ...u16(method),
      0,
      0,
      0,
      0,
      ...u32(crc),
      ...u32(body.byteLength),
      ...u32(usize),
      ...u16(name.byteLength),
    ];
    let extra: number[] = [];
    if (opts.align) {
      const start = offset + 30 + name.byteLength + 4;
      const pad = (opts.align - (start % opts.align)) % opts.align;
      extra = [0x46, 0x42, ...u16(pad), ...new Array(pad).fill(0x5a)];
    }
    const local = cat(
      [0x50, 0x4b, 0x03, 0x04, 20, 0, 0, 0, ...common, ...u16(extra.length)],
      name,
      extra,
      body,
    );
    centrals.push(
      cat(
        [0x50, 0x4b, 0x01, 0x02, 20, 0, 20, 0, 0, 0, ...common, ...new Array(12).fill(0), ...u32(offset)],
        name,
      ),
    );
    locals.push(local);
    offset += local.byteLength;
  }
  const cd = cat(...centrals);
  const end = cat(
    [0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0],
    u16(entries.length),
    u16(entries.length),
    u32(cd.byteLength),
    u32(offset),
    [0, 0],
  );
  return cat(...locals, cd, end);
}

/** safetensors: u64 header length, JSON header padded with spaces to 8 bytes, data. */
export function safetensors(headerJson: string, data: Uint8Array | number): Uint8Array {
  const pad = (8 - (headerJson.length % 8)) % 8;
  const h = headerJson + ' '.repeat(pad);
  const body = typeof data === 'number' ? new Uint8Array(data) : data;
  return cat(u64(h.length), h, body);
}

/** GGUF v3 from the ggml spec: header, typed metadata, tensor infos, aligned data. */
export function gguf(opts: {
  meta?: readonly [string, 'str' | 'u32', string | number][];
  tensors?: readonly { name: string; dims: number[]; type: number; offset: number }[];
  data?: number;
  duplicateKey?: boolean;
}): Uint8Array {
  const str = (s: string) => cat(u64(enc.encode(s).byteLength), enc.encode(s));
  const meta = opts.meta ?? [];
  const kv = meta.map(([k, t, v]) =>
    t === 'str' ? cat(str(k), u32(8), str(String(v))) : cat(str(k), u32(4), u32(Number(v))),
  );
  const tensors = opts.tensors ?? [];
  const ti = tensors.map((t) =>
    cat(str(t.name), u32(t.dims.length), ...t.dims.map((d) => u64(d)), u32(t.type), u64(t.offset)),
  );
  const head = cat('GGUF', u32(3), u64(tensors.length), u64(kv.length), ...kv, ...ti);
  const aligned = Math.ceil(head.byteLength / 32) * 32;
  return cat(head, new Uint8Array(aligned - head.byteLength), new Uint8Array(opts.data ?? 0));
}

/** protobuf: tag + value for the wire types ONNX uses */
export const pb = {
  varint(n: number): number[] {
    const out: number[] = [];
    let v = n;
    do {
      let b = v % 128;
      v = Math.floor(v / 128);
      if (v > 0) b |= 0x80;
      out.push(b);
    } while (v > 0);
    return out;
  },
  int(field: number, n: number): Uint8Array {
    return cat(pb.varint(field * 8), pb.varint(n));
  },
  bytes(field: number, body: Uint8Array | string): Uint8Array {
    const b = typeof body === 'string' ? enc.encode(body) : body;
    return cat(pb.varint(field * 8 + 2), pb.varint(b.byteLength), b);
  },
};

/**
 * The same archive rewritten with zip64 records (APPNOTE 4.3.14-4.3.15, 4.5.3): every size and
 * offset in the central directory set to 0xFFFFFFFF with the real values in a zip64 extra field,
 * and the end record pointing through a zip64 locator, as writers do past 4 GiB.
 */
export function zip64(entries: readonly { name: string; data: Uint8Array }[]): Uint8Array {
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = enc.encode(e.name);
    const crc = crc32(e.data);
    const size = e.data.byteLength;
    const local = cat(
      [
        0x50,
        0x4b,
        0x03,
        0x04,
        45,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        ...u32(crc),
        ...u32(size),
        ...u32(size),
        ...u16(name.byteLength),
        0,
        0,
      ],
      name,
      e.data,
    );
    const extra = cat(u16(1), u16(24), u64(size), u64(size), u64(offset));
    centrals.push(
      cat(
        [
          0x50,
          0x4b,
          0x01,
          0x02,
          45,
          0,
          45,
          0,
          0,
          0,
          0,
          0,
          0,
          0,
          0,
          0,
          ...u32(crc),
          ...u32(0xffffffff),
          ...u32(0xffffffff),
        ],
        u16(name.byteLength),
        u16(extra.byteLength),
        [0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        u32(0xffffffff),
        name,
        extra,
      ),
    );
    locals.push(local);
    offset += local.byteLength;
  }
  const cd = cat(...centrals);
  const rec64At = offset + cd.byteLength;
  const rec64 = cat(
    [0x50, 0x4b, 0x06, 0x06],
    u64(44),
    [45, 0, 45, 0],
    u32(0),
    u32(0),
    u64(entries.length),
    u64(entries.length),
    u64(cd.byteLength),
    u64(offset),
  );
  const locator = cat([0x50, 0x4b, 0x06, 0x07], u32(0), u64(rec64At), u32(1));
  const end = cat(
    [0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0],
    u16(0xffff),
    u16(0xffff),
    u32(0xffffffff),
    u32(0xffffffff),
    [0, 0],
  );
  return cat(...locals, cd, rec64, locator, end);
}
