import { Cursor, type ReadAt, Truncated } from '../reader.ts';

/**
 * Just enough protobuf to walk ONNX and SavedModel files: tags, varints, and length-delimited fields
 * that are either descended into or skipped without being read (tensor bytes).
 */
export class ProtoError extends Error {}

/** one decoder for every string: constructing one per call costs more than the decoding */
export const utf8 = new TextDecoder();

export function varint(cur: Cursor): number {
  let n = 0;
  let mul = 1;
  for (let i = 0; i < 10; i++) {
    const b = cur.u8();
    n += (b & 0x7f) * mul;
    if ((b & 0x80) === 0) return n;
    mul *= 128;
  }
  throw new ProtoError('varint longer than 10 bytes');
}

export interface Tag {
  readonly num: number;
  readonly wire: number;
}

export function tag(cur: Cursor): Tag {
  const t = varint(cur);
  const num = Math.floor(t / 8);
  const wire = t % 8;
  if (num === 0 || (wire !== 0 && wire !== 1 && wire !== 2 && wire !== 5)) {
    throw new ProtoError(`bad tag (field ${num}, wire type ${wire})`);
  }
  return { num, wire };
}

/** Skips a field's value (after its tag); returns the length of a LEN field, else -1. */
export function skipValue(cur: Cursor, wire: number): void {
  if (wire === 0) varint(cur);
  else if (wire === 1) cur.skip(8);
  else if (wire === 5) cur.skip(4);
  else cur.skip(lengthOf(cur));
}

export function lengthOf(cur: Cursor): number {
  const n = varint(cur);
  if (n > cur.remaining) throw new Truncated(cur.end);
  return n;
}

export function shortString(cur: Cursor, max = 4096): string {
  const n = lengthOf(cur);
  if (n > max) {
    cur.skip(n);
    return '';
  }
  return utf8.decode(cur.bytes(n));
}

/** Top-level fields as (number, wire type) pairs, values skipped; null when it is not protobuf. */
export function topLevelFields(r: ReadAt, maxFields = 100_000): Map<number, Set<number>> | null {
  const cur = new Cursor(r);
  const seen = new Map<number, Set<number>>();
  try {
    for (let i = 0; cur.remaining > 0; i++) {
      if (i >= maxFields) return null;
      const t = tag(cur);
      skipValue(cur, t.wire);
      const s = seen.get(t.num) ?? new Set<number>();
      s.add(t.wire);
      seen.set(t.num, s);
    }
  } catch {
    return null;
  }
  return seen;
}
