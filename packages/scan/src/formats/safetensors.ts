import type { Finding, FindingCode } from '../findings.ts';
import type { ReadAt } from '../reader.ts';
import { isObject, JsonError, parseStrictJson } from './json-strict.ts';

/**
 * safetensors: an 8-byte little-endian header length N, N bytes of JSON, then the tensor bytes. Only
 * the header is read. Checked as the reference reader checks it (N <= 100 MB, offsets contiguous
 * from 0, each size equal to shape x dtype, the last offset ending the file), plus what it lets by:
 * duplicate keys and unknown fields.
 */
export const SAFETENSORS_MAX_HEADER = 100_000_000;

/** bits per element; the MX and FP8 types are the ones recent models ship */
const DTYPE_BITS: Readonly<Record<string, number>> = {
  BOOL: 8,
  F4: 4,
  F6_E2M3: 6,
  F6_E3M2: 6,
  U8: 8,
  I8: 8,
  F8_E5M2: 8,
  F8_E4M3: 8,
  F8_E8M0: 8,
  I16: 16,
  U16: 16,
  F16: 16,
  BF16: 16,
  I32: 32,
  U32: 32,
  F32: 32,
  C64: 64,
  F64: 64,
  I64: 64,
  U64: 64,
};

export const looksLikeSafetensors = (head: Uint8Array, size: number): boolean => {
  if (head.byteLength < 9 || head[8] !== 0x7b) return false;
  const n = Number(new DataView(head.buffer, head.byteOffset, 8).getBigUint64(0, true));
  return n >= 2 && n + 8 <= size;
};

export interface SafetensorsSummary {
  readonly tensors: number;
  readonly headerBytes: number;
}

type Add = (code: FindingCode, message: string, extra?: Partial<Finding>) => void;

export function checkSafetensors(r: ReadAt, add: Add): SafetensorsSummary | null {
  if (r.size < 8) {
    add('SAFETENSORS_HEADER', 'file is shorter than the 8-byte header length');
    return null;
  }
  const lenBytes = r.read(0, 8);
  const n = Number(new DataView(lenBytes.buffer, lenBytes.byteOffset, 8).getBigUint64(0, true));
  if (n > SAFETENSORS_MAX_HEADER) {
    add(
      'SAFETENSORS_HEADER_TOO_LARGE',
      `header claims ${n} bytes, over the ${SAFETENSORS_MAX_HEADER}-byte limit`,
    );
    return null;
  }
  if (n + 8 > r.size) {
    add('SAFETENSORS_HEADER', `header claims ${n} bytes; the file has ${r.size - 8} after the length`);
    return null;
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(r.read(8, n));
  } catch {
    add('SAFETENSORS_HEADER', 'header is not UTF-8');
    return null;
  }
  let header: unknown;
  try {
    // the writer pads the JSON with spaces to an 8-byte boundary
    header = parseStrictJson(text.replace(/ +$/, ''), 8);
  } catch (e) {
    const dup = e instanceof JsonError && e.kind === 'duplicate';
    add(dup ? 'SAFETENSORS_DUPLICATE_KEY' : 'SAFETENSORS_HEADER', `header JSON: ${(e as Error).message}`);
    return null;
  }
  if (!isObject(header)) {
    add('SAFETENSORS_HEADER', 'header is not a JSON object');
    return null;
  }
  const dataLen = r.size - 8 - n;
  const spans: { name: string; begin: number; end: number }[] = [];
  let bad = 0;
  const tensorFail = (code: FindingCode, name: string, message: string) => {
    if (bad++ < 20) add(code, `tensor ${JSON.stringify(name)}: ${message}`);
  };
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (!isObject(info) || !Object.values(info).every((v) => typeof v === 'string')) {
        add('SAFETENSORS_HEADER', '__metadata__ must map strings to strings');
      }
      continue;
    }
    if (!isObject(info)) {
      tensorFail('SAFETENSORS_HEADER', name, 'entry is not an object');
      continue;
    }
    const extra = Object.keys(info).filter((k) => k !== 'dtype' && k !== 'shape' && k !== 'data_offsets');
    if (extra.length > 0) tensorFail('SAFETENSORS_HEADER', name, `unknown fields ${extra.join(', ')}`);
    const { dtype, shape, data_offsets: off } = info;
    const bits = typeof dtype === 'string' ? DTYPE_BITS[dtype] : undefined;
    if (bits === undefined) {
      tensorFail(
        'SAFETENSORS_DTYPE_UNKNOWN',
        name,
        `dtype ${JSON.stringify(dtype)} is not a safetensors dtype`,
      );
      continue;
    }
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      tensorFail('SAFETENSORS_HEADER', name, 'shape must be a list of non-negative integers');
      continue;
    }
    if (!Array.isArray(off) || off.length !== 2 || !off.every((x) => Number.isSafeInteger(x) && x >= 0)) {
      tensorFail('SAFETENSORS_OFFSETS', name, 'data_offsets must be two non-negative integers');
      continue;
    }
    const [begin, end] = off as [number, number];
    if (end < begin || end > dataLen) {
      tensorFail(
        'SAFETENSORS_OFFSETS',
        name,
        `data_offsets [${begin}, ${end}] leave the ${dataLen}-byte data section`,
      );
      continue;
    }
    // exact arithmetic: shapes of hostile files overflow doubles
    const elements = (shape as number[]).reduce((a, d) => a * BigInt(d), 1n);
    const bitsTotal = elements * BigInt(bits);
    if (bitsTotal % 8n !== 0n || bitsTotal / 8n !== BigInt(end - begin)) {
      tensorFail(
        'SAFETENSORS_SHAPE_MISMATCH',
        name,
        `shape [${shape.join(', ')}] of ${dtype} is not ${end - begin} bytes`,
      );
      continue;
    }
    spans.push({ name, begin, end });
  }
  spans.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  for (const s of spans) {
    if (s.begin !== at) {
      const what =
        s.begin < at ? 'overlaps the tensor before it' : `leaves a gap of ${s.begin - at} bytes before it`;
      tensorFail('SAFETENSORS_OFFSETS', s.name, `${what} (offsets must be contiguous)`);
    }
    at = Math.max(at, s.end);
  }
  if (bad === 0 && at !== dataLen) {
    add('SAFETENSORS_TRAILING_DATA', `${dataLen - at} bytes after the last tensor`);
  }
  return { tensors: spans.length, headerBytes: n };
}
