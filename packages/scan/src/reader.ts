/**
 * Everything the scanner reads goes through ReadAt: a file on disk (the CLI's fs edge), a zip member
 * held in memory, or a window onto a stored member of a larger file. Analysers ask for the bytes
 * they need and nothing more, so a 4 GiB safetensors file costs its header.
 */
export interface ReadAt {
  readonly size: number;
  /** exactly `length` bytes from `offset`, or fewer only at the end of the data */
  read(offset: number, length: number): Uint8Array;
}

export function bytesReader(bytes: Uint8Array): ReadAt {
  return {
    size: bytes.byteLength,
    read: (offset, length) => bytes.subarray(offset, Math.min(bytes.byteLength, offset + length)),
  };
}

/** A window [start, start+size) of another reader: a stored zip member is read in place. */
export function sliceReader(base: ReadAt, start: number, size: number): ReadAt {
  return {
    size,
    read: (offset, length) => base.read(start + offset, Math.max(0, Math.min(length, size - offset))),
  };
}

/** Counts what analysers asked for: the benchmark shows that tensor data is never read. */
export function countingReader(base: ReadAt): ReadAt & { readonly bytesRead: () => number } {
  let total = 0;
  return {
    size: base.size,
    read(offset, length) {
      const b = base.read(offset, length);
      total += b.byteLength;
      return b;
    },
    bytesRead: () => total,
  };
}

export class Truncated extends Error {
  readonly at: number;
  constructor(at: number) {
    super(`data ends at byte ${at}`);
    this.at = at;
  }
}

const WINDOW = 64 * 1024;

/**
 * Sequential reads over a ReadAt through one small window; skips are free, so a protobuf or pickle
 * walk never loads the tensor bytes it steps over. Throws Truncated past the end.
 */
export class Cursor {
  pos: number;
  readonly end: number;
  private win: Uint8Array = new Uint8Array(0);
  private winStart = 0;

  private readonly src: ReadAt;

  constructor(src: ReadAt, start = 0, end = src.size) {
    this.src = src;
    this.pos = start;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private ensure(n: number): void {
    if (this.pos + n > this.end) throw new Truncated(this.end);
    const off = this.pos - this.winStart;
    if (off >= 0 && off + n <= this.win.byteLength) return;
    this.winStart = this.pos;
    this.win = this.src.read(this.pos, Math.min(Math.max(n, WINDOW), this.end - this.pos));
    if (this.win.byteLength < n) throw new Truncated(this.pos + this.win.byteLength);
  }

  u8(): number {
    this.ensure(1);
    return this.win[this.pos++ - this.winStart]!;
  }

  /** n bytes as a view (valid until the next read); n is bounded by the caller */
  bytes(n: number): Uint8Array {
    this.ensure(n);
    const off = this.pos - this.winStart;
    this.pos += n;
    return this.win.subarray(off, off + n);
  }

  skip(n: number): void {
    if (n < 0 || this.pos + n > this.end) throw new Truncated(this.end);
    this.pos += n;
  }

  u16(): number {
    const b = this.bytes(2);
    return b[0]! | (b[1]! << 8);
  }

  u32(): number {
    const b = this.bytes(4);
    return (b[0]! | (b[1]! << 8) | (b[2]! << 16)) + b[3]! * 0x1000000;
  }

  i32(): number {
    return this.u32() | 0;
  }

  /** little-endian u64 as a number; values past 2^53 come back as Infinity (callers bound-check) */
  u64(): number {
    const lo = this.u32();
    const hi = this.u32();
    return hi >= 0x200000 ? Number.POSITIVE_INFINITY : hi * 0x100000000 + lo;
  }

  /** bytes up to (not including) the next '\n', at most max bytes; null when no newline comes */
  line(max: number): Uint8Array | null {
    const out: number[] = [];
    while (out.length <= max) {
      if (this.pos >= this.end) throw new Truncated(this.end);
      const c = this.u8();
      if (c === 0x0a) return Uint8Array.from(out);
      out.push(c);
    }
    return null;
  }
}
