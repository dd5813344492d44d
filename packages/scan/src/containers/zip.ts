import type { FindingCode } from '../findings.ts';
import { type ReadAt, sliceReader } from '../reader.ts';

/**
 * A zip central-directory reader (zip64 included), written for scanning: it never trusts a size it
 * has not bounded, reads members in place when they are stored, and reports every disagreement
 * (local vs central name, overlapping data, flags that lenient readers ignore) as a finding while
 * still handing the member to the analysers, because PyTorch's reader would load it anyway.
 */

export interface ZipEntry {
  readonly name: string;
  readonly method: number;
  readonly flags: number;
  readonly crc: number;
  readonly csize: number;
  readonly usize: number;
  readonly dataOffset: number;
}

export interface ZipProblem {
  readonly code: FindingCode;
  readonly message: string;
  readonly member?: string;
}

export interface ZipDirectory {
  readonly entries: readonly ZipEntry[];
  readonly problems: readonly ZipProblem[];
}

const EOCD = 0x06054b50;
const EOCD64 = 0x06064b50;
const LOCATOR64 = 0x07064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const MAX_CD_BYTES = 256 << 20;

const utf8 = new TextDecoder('utf-8');

class View {
  readonly b: Uint8Array;
  constructor(b: Uint8Array) {
    this.b = b;
  }
  u16(o: number): number {
    return this.b[o]! | (this.b[o + 1]! << 8);
  }
  u32(o: number): number {
    return (this.b[o]! | (this.b[o + 1]! << 8) | (this.b[o + 2]! << 16)) + this.b[o + 3]! * 0x1000000;
  }
  u64(o: number): number {
    const hi = this.u32(o + 4);
    return hi >= 0x200000 ? Number.POSITIVE_INFINITY : hi * 0x100000000 + this.u32(o);
  }
}

export class ZipError extends Error {}

export function readZipDirectory(r: ReadAt, maxEntries: number): ZipDirectory {
  const problems: ZipProblem[] = [];
  const tailLen = Math.min(r.size, 22 + 0xffff);
  const tail = new View(r.read(r.size - tailLen, tailLen));
  let eocd = -1;
  for (let i = tailLen - 22; i >= 0; i--) {
    if (tail.u32(i) === EOCD && i + 22 + tail.u16(i + 20) <= tailLen) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new ZipError('no end-of-central-directory record');
  const eocdAbs = r.size - tailLen + eocd;
  let count = tail.u16(eocd + 10);
  let cdSize = tail.u32(eocd + 12);
  let cdOffset = tail.u32(eocd + 16);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    if (eocdAbs < 20) throw new ZipError('zip64 locator missing');
    const loc = new View(r.read(eocdAbs - 20, 20));
    if (loc.u32(0) !== LOCATOR64) throw new ZipError('zip64 locator missing');
    const recOff = loc.u64(8);
    if (!(recOff + 56 <= r.size)) throw new ZipError('zip64 record out of bounds');
    const rec = new View(r.read(recOff, 56));
    if (rec.u32(0) !== EOCD64) throw new ZipError('zip64 record has a bad signature');
    count = rec.u64(32);
    cdSize = rec.u64(40);
    cdOffset = rec.u64(48);
  }
  if (count > maxEntries) throw new ZipError(`more than ${maxEntries} entries (${count})`);
  if (!(cdOffset + cdSize <= r.size) || cdSize > MAX_CD_BYTES)
    throw new ZipError('central directory out of bounds');
  const cd = new View(r.read(cdOffset, cdSize));
  const entries: ZipEntry[] = [];
  const names = new Set<string>();
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cdSize || cd.u32(p) !== CENTRAL)
      throw new ZipError(`central directory entry ${i} is malformed`);
    const flags = cd.u16(p + 8);
    const method = cd.u16(p + 10);
    const crc = cd.u32(p + 16);
    let csize = cd.u32(p + 20);
    let usize = cd.u32(p + 24);
    const nameLen = cd.u16(p + 28);
    const extraLen = cd.u16(p + 30);
    const commentLen = cd.u16(p + 32);
    let local = cd.u32(p + 42);
    if (p + 46 + nameLen + extraLen + commentLen > cdSize)
      throw new ZipError(`entry ${i} runs past the directory`);
    const name = utf8.decode(cd.b.subarray(p + 46, p + 46 + nameLen));
    // zip64 extra field: the 8-byte values replace the 0xffffffff ones, in this order
    let x = p + 46 + nameLen;
    const xEnd = x + extraLen;
    while (x + 4 <= xEnd) {
      const id = cd.u16(x);
      const len = cd.u16(x + 2);
      if (id === 0x0001) {
        let q = x + 4;
        const next = (): number => {
          const v = q + 8 <= x + 4 + len ? cd.u64(q) : Number.POSITIVE_INFINITY;
          q += 8;
          return v;
        };
        if (usize === 0xffffffff) usize = next();
        if (csize === 0xffffffff) csize = next();
        if (local === 0xffffffff) local = next();
      }
      x += 4 + len;
    }
    p += 46 + nameLen + extraLen + commentLen;
    if (names.has(name))
      problems.push({ code: 'ZIP_DUPLICATE_NAME', message: `two entries named ${name}`, member: name });
    names.add(name);
    if (name.startsWith('/') || name.split(/[\\/]/).includes('..') || /^[A-Za-z]:/.test(name)) {
      problems.push({
        code: 'ARCHIVE_BAD_NAME',
        message: `entry name ${JSON.stringify(name)} leaves the archive`,
        member: name,
      });
    }
    if (!(local + 30 <= cdOffset)) throw new ZipError(`entry ${name}: local header out of bounds`);
    const lh = new View(r.read(local, 30));
    if (lh.u32(0) !== LOCAL) throw new ZipError(`entry ${name}: bad local header signature`);
    const lNameLen = lh.u16(26);
    const lExtraLen = lh.u16(28);
    const localName = utf8.decode(r.read(local + 30, lNameLen));
    if (localName !== name) {
      problems.push({
        code: 'ZIP_NAME_MISMATCH',
        message: `local header names ${JSON.stringify(localName)}, central directory ${JSON.stringify(name)}`,
        member: name,
      });
    }
    const dataOffset = local + 30 + lNameLen + lExtraLen;
    if (!(dataOffset + csize <= cdOffset))
      throw new ZipError(`entry ${name}: data runs past the central directory`);
    if (flags & 0x41)
      problems.push({ code: 'ZIP_ENCRYPTED', message: `entry ${name} is flagged encrypted`, member: name });
    if (flags & 0x20)
      problems.push({
        code: 'ZIP_MALFORMED',
        message: `entry ${name} is flagged as patched data`,
        member: name,
      });
    entries.push({ name, method, flags, crc, csize, usize, dataOffset });
  }
  const sorted = [...entries].sort((a, b) => a.dataOffset - b.dataOffset);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!;
    if (sorted[i]!.dataOffset < prev.dataOffset + prev.csize) {
      problems.push({
        code: 'ZIP_OVERLAP',
        message: `entries ${prev.name} and ${sorted[i]!.name} share bytes (an overlapping-entry zip bomb)`,
        member: sorted[i]!.name,
      });
    }
  }
  return { entries, problems };
}

/** The compressed bytes of a member, in place. */
export const rawData = (r: ReadAt, e: ZipEntry): ReadAt => sliceReader(r, e.dataOffset, e.csize);
