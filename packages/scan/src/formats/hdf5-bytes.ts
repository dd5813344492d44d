import { type ReadAt, Truncated } from '../reader.ts';
import { HDF5_LIMITS } from './hdf5-limits.ts';

/**
 * The lowest layer of the HDF5 reader: bounded little-endian field reads and object header
 * messages (v1 and v2 layouts, continuation blocks followed, loops refused).
 */
export class Bad extends Error {}

export const UNDEF = -1;

/** bounded little-endian field reads over one ReadAt; every read is checked against the file size */
export class Bytes {
  readonly r: ReadAt;
  o = 8;
  l = 8;
  constructor(r: ReadAt) {
    this.r = r;
  }
  at(pos: number, n: number): Uint8Array {
    if (pos < 0 || n < 0 || pos + n > this.r.size) throw new Truncated(this.r.size);
    const b = this.r.read(pos, n);
    if (b.byteLength < n) throw new Truncated(pos + b.byteLength);
    return b;
  }
  uint(pos: number, n: number): number {
    const b = this.at(pos, n);
    let v = 0;
    for (let i = n - 1; i >= 0; i--) v = v * 256 + b[i]!;
    if (!Number.isSafeInteger(v)) throw new Bad(`a ${n}-byte field at ${pos} is too large`);
    return v;
  }
  addr(pos: number): number {
    if (this.at(pos, this.o).every((x) => x === 0xff)) return UNDEF;
    return this.uint(pos, this.o);
  }
  len(pos: number): number {
    return this.uint(pos, this.l);
  }
  sig(pos: number, s: string): boolean {
    return Buffer.from(this.at(pos, 4)).toString('latin1') === s;
  }
}

export interface Message {
  readonly type: number;
  readonly flags: number;
  readonly pos: number;
  readonly size: number;
}

export function need(addr: number, what: string): number {
  if (addr === UNDEF) throw new Bad(`the ${what} address is undefined`);
  return addr;
}

/** every message of one object header, continuation blocks included (v1 and v2 layouts) */
export function cString(b: Bytes, pos: number, max: number): string {
  const bytes = b.at(pos, Math.min(max, 64 * 1024));
  const nul = bytes.indexOf(0);
  return text(nul === -1 ? bytes : bytes.subarray(0, nul));
}

export const text = (u: Uint8Array): string => Buffer.from(u).toString('utf8');

/** every message of one object header, continuation blocks included (v1 and v2 layouts) */
export function objectMessages(b: Bytes, addr: number): Message[] {
  const out: Message[] = [];
  const blocks: { pos: number; end: number; v2: boolean }[] = [];
  const blockSeen = new Set<number>();
  if (b.sig(addr, 'OHDR')) {
    const flags = b.at(addr + 5, 1)[0]!;
    if (b.at(addr + 4, 1)[0] !== 2) throw new Bad(`object header at ${addr} has an unknown version`);
    let p = addr + 6 + (flags & 0x20 ? 16 : 0) + (flags & 0x10 ? 4 : 0);
    const sizeBytes = 1 << (flags & 3);
    const size = b.uint(p, sizeBytes);
    p += sizeBytes;
    blocks.push({ pos: p, end: p + size, v2: true });
    return walkBlocks(b, blocks, blockSeen, out, flags);
  }
  if (b.at(addr, 1)[0] !== 1) throw new Bad(`no object header at ${addr}`);
  const size = b.uint(addr + 8, 4);
  blocks.push({ pos: addr + 16, end: addr + 16 + size, v2: false });
  return walkBlocks(b, blocks, blockSeen, out, 0);
}

function walkBlocks(
  b: Bytes,
  blocks: { pos: number; end: number; v2: boolean }[],
  blockSeen: Set<number>,
  out: Message[],
  flags: number,
): Message[] {
  while (blocks.length > 0) {
    const blk = blocks.shift()!;
    if (blockSeen.has(blk.pos)) throw new Bad(`object header continuation loops at ${blk.pos}`);
    blockSeen.add(blk.pos);
    if (blk.end > b.r.size) throw new Truncated(b.r.size);
    const head = blk.v2 ? 4 + (flags & 0x04 ? 2 : 0) : 8;
    let p = blk.pos;
    // a gap shorter than a message header is padding
    const end = blk.end;
    while (p + head <= end) {
      const type = blk.v2 ? b.at(p, 1)[0]! : b.uint(p, 2);
      const size = b.uint(p + (blk.v2 ? 1 : 2), 2);
      const mflags = b.at(p + (blk.v2 ? 3 : 4), 1)[0]!;
      const pos = p + head;
      if (pos + size > end) throw new Bad(`a header message at ${p} runs past its block`);
      if (out.length >= HDF5_LIMITS.messagesPerObject) throw new Bad('too many header messages');
      out.push({ type, flags: mflags, pos, size });
      if (type === 0x10) {
        const at = b.addr(pos);
        const len = b.len(pos + b.o);
        if (blk.v2) {
          if (!b.sig(at, 'OCHK')) throw new Bad(`continuation block at ${at} has no OCHK signature`);
          blocks.push({ pos: at + 4, end: at + len - 4, v2: true });
        } else blocks.push({ pos: at, end: at + len, v2: false });
      }
      p = pos + size;
    }
  }
  return out;
}

/** the fractal heap address of a Link Info / Attribute Info message (undefined when compact) */
