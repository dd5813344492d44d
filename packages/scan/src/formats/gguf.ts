import type { Finding, FindingCode } from '../findings.ts';
import { Cursor, type ReadAt, Truncated } from '../reader.ts';

/**
 * GGUF (llama.cpp): magic, version, tensor and metadata counts, typed key/value metadata, tensor
 * infos, then aligned tensor data. The header is walked, the data never read: every tensor must lie
 * inside the data section at an aligned offset, not overlap another, and have a known ggml type whose
 * block size divides its first dimension. Chat templates in the metadata go to the template check.
 */

/** ggml type id -> [elements per block, bytes per block] (ggml type traits) */
const GGML_TYPES: Readonly<Record<number, readonly [string, number, number]>> = {
  0: ['F32', 1, 4],
  1: ['F16', 1, 2],
  2: ['Q4_0', 32, 18],
  3: ['Q4_1', 32, 20],
  6: ['Q5_0', 32, 22],
  7: ['Q5_1', 32, 24],
  8: ['Q8_0', 32, 34],
  9: ['Q8_1', 32, 36],
  10: ['Q2_K', 256, 84],
  11: ['Q3_K', 256, 110],
  12: ['Q4_K', 256, 144],
  13: ['Q5_K', 256, 176],
  14: ['Q6_K', 256, 210],
  15: ['Q8_K', 256, 292],
  16: ['IQ2_XXS', 256, 66],
  17: ['IQ2_XS', 256, 74],
  18: ['IQ3_XXS', 256, 98],
  19: ['IQ1_S', 256, 50],
  20: ['IQ4_NL', 32, 18],
  21: ['IQ3_S', 256, 110],
  22: ['IQ2_S', 256, 82],
  23: ['IQ4_XS', 256, 136],
  24: ['I8', 1, 1],
  25: ['I16', 1, 2],
  26: ['I32', 1, 4],
  27: ['I64', 1, 8],
  28: ['F64', 1, 8],
  29: ['IQ1_M', 256, 56],
  30: ['BF16', 1, 2],
  34: ['TQ1_0', 256, 54],
  35: ['TQ2_0', 256, 66],
  39: ['MXFP4', 32, 17],
};

/** value type id -> fixed size in bytes (string = 8, array = 9 are variable) */
const FIXED: Readonly<Record<number, number>> = {
  0: 1,
  1: 1,
  2: 2,
  3: 2,
  4: 4,
  5: 4,
  6: 4,
  7: 1,
  10: 8,
  11: 8,
  12: 8,
};

const LIMITS = { tensors: 1_000_000, kvs: 1_000_000, string: 64 << 20, array: 100_000_000, dims: 8 };

type Add = (code: FindingCode, message: string, extra?: Partial<Finding>) => void;

export const GGUF_MAGIC = 0x46554747; // "GGUF" little-endian

class Bad extends Error {
  readonly code: FindingCode;
  constructor(code: FindingCode, message: string) {
    super(message);
    this.code = code;
  }
}

export interface GgufResult {
  readonly version: number;
  readonly tensors: number;
  readonly templates: readonly { readonly key: string; readonly text: string }[];
}

export function checkGguf(r: ReadAt, add: Add): GgufResult | null {
  const cur = new Cursor(r);
  const templates: { key: string; text: string }[] = [];
  try {
    cur.u32();
    const version = cur.u32();
    if (version !== 2 && version !== 3)
      throw new Bad('GGUF_HEADER', `version ${version} (2 and 3 are defined)`);
    const nTensors = cur.u64();
    const nKv = cur.u64();
    if (nTensors > LIMITS.tensors || nKv > LIMITS.kvs) {
      throw new Bad('GGUF_LIMIT', `${nTensors} tensors and ${nKv} metadata keys: over the limits`);
    }
    const str = (max = LIMITS.string): string => {
      const n = cur.u64();
      if (n > max) throw new Bad('GGUF_LIMIT', `a string of ${n} bytes`);
      if (n > cur.remaining) throw new Truncated(cur.end);
      return new TextDecoder('utf-8', { fatal: true }).decode(cur.bytes(n).slice());
    };
    const keys = new Set<string>();
    let alignment = 32;
    for (let i = 0; i < nKv; i++) {
      const key = str(1 << 16);
      if (keys.has(key))
        throw new Bad('GGUF_DUPLICATE_KEY', `metadata key ${JSON.stringify(key)} appears twice`);
      keys.add(key);
      const type = cur.u32();
      if (type === 8) {
        const text = str();
        if (key === 'tokenizer.chat_template' || key.startsWith('tokenizer.chat_template.'))
          templates.push({ key, text });
      } else if (type === 9) {
        const et = cur.u32();
        const n = cur.u64();
        if (n > LIMITS.array) throw new Bad('GGUF_LIMIT', `array ${key} of ${n} items`);
        if (et === 8) for (let j = 0; j < n; j++) str(1 << 20);
        else if (FIXED[et] !== undefined) cur.skip(FIXED[et]! * n);
        else throw new Bad('GGUF_HEADER', `array ${key} has element type ${et}`);
      } else if (FIXED[type] !== undefined) {
        if (key === 'general.alignment') {
          if (type !== 4) throw new Bad('GGUF_HEADER', 'general.alignment must be a uint32');
          alignment = cur.u32();
          if (alignment === 0 || alignment % 8 !== 0 || alignment > 1 << 20) {
            throw new Bad('GGUF_HEADER', `general.alignment ${alignment} is not a multiple of 8`);
          }
        } else cur.skip(FIXED[type]!);
      } else throw new Bad('GGUF_HEADER', `metadata ${key} has value type ${type}`);
    }
    const infos: { name: string; offset: number; size: number }[] = [];
    const names = new Set<string>();
    for (let i = 0; i < nTensors; i++) {
      const name = str(1 << 16);
      if (names.has(name))
        throw new Bad('GGUF_DUPLICATE_KEY', `tensor ${JSON.stringify(name)} appears twice`);
      names.add(name);
      const nd = cur.u32();
      if (nd === 0 || nd > LIMITS.dims) throw new Bad('GGUF_HEADER', `tensor ${name} has ${nd} dimensions`);
      const dims: number[] = [];
      for (let d = 0; d < nd; d++) dims.push(cur.u64());
      const type = cur.u32();
      const offset = cur.u64();
      const t = GGML_TYPES[type];
      if (t === undefined) throw new Bad('GGUF_TENSOR_TYPE_UNKNOWN', `tensor ${name} has ggml type ${type}`);
      const [, block, bytes] = t;
      if (!dims.every(Number.isSafeInteger) || dims[0]! % block !== 0) {
        throw new Bad(
          'GGUF_HEADER',
          `tensor ${name}: dimensions [${dims.join(', ')}] do not fit ${t[0]} blocks`,
        );
      }
      const size = dims.reduce((a, d) => a * BigInt(d), BigInt(bytes)) / BigInt(block);
      if (size > BigInt(r.size))
        throw new Bad('GGUF_OFFSETS', `tensor ${name} is ${size} bytes, more than the file`);
      if (!Number.isSafeInteger(offset) || offset % alignment !== 0) {
        throw new Bad('GGUF_OFFSETS', `tensor ${name} offset ${offset} is not aligned to ${alignment}`);
      }
      infos.push({ name, offset, size: Number(size) });
    }
    const dataStart = Math.ceil(cur.pos / alignment) * alignment;
    const dataLen = r.size - dataStart;
    infos.sort((a, b) => a.offset - b.offset);
    let end = 0;
    for (const t of infos) {
      if (t.offset < end) throw new Bad('GGUF_OFFSETS', `tensor ${t.name} overlaps the tensor before it`);
      if (t.offset + t.size > dataLen)
        throw new Bad('GGUF_OFFSETS', `tensor ${t.name} runs past the end of the file`);
      end = t.offset + t.size;
    }
    // the writer pads every tensor, the last one included, to the alignment
    if (dataLen > 0 && dataLen > Math.ceil(end / alignment) * alignment) {
      throw new Bad('GGUF_TRAILING_DATA', `${dataLen - end} bytes after the last tensor`);
    }
    return { version, tensors: infos.length, templates };
  } catch (e) {
    if (e instanceof Bad) add(e.code, e.message);
    else if (e instanceof Truncated) add('GGUF_HEADER', `header ends early (byte ${e.at})`);
    else if (e instanceof TypeError) add('GGUF_HEADER', 'a metadata string is not UTF-8');
    else throw e;
    return null;
  }
}
