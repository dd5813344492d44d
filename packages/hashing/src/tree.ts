import type { Blake3Tree } from './blake3.ts';
import type { StreamHasher } from './hasher.ts';
import type { ReadTask } from './read.ts';

/*
 * One big file on several threads, through BLAKE3's tree. The file is cut into ranges of a
 * power-of-two number of chunks (the last range may be shorter); each range is a complete subtree,
 * because a BLAKE3 tree's left subtree always holds the largest power-of-two number of chunks
 * that leaves some input for the right. The threads compute the ranges' chaining values like any
 * other task (into the shared digest buffer: a chaining value is 32 bytes, as a digest), and the
 * calling thread joins them into the root.
 */

const CHUNK_LEN = 1024;
/** native subtree calls take 1 MiB (1,024 chunks) at a time, the size of one read */
export const PIECE = 1 << 20;
/** a smaller file is not worth the extra open() and join */
const SPLIT_MIN = 8 * PIECE;
/** ranges at most this long; with the shared task counter, 16+ ranges per file balance the threads */
const RANGE_MAX = 64 * PIECE;

/** Where each original task's digest comes from once tasks were split. */
export interface Split {
  readonly tasks: readonly ReadTask[];
  /** original task i is tasks[first[i]] .. tasks[first[i] + count[i] - 1] */
  readonly first: Uint32Array;
  readonly count: Uint32Array;
}

/** power of two, at least PIECE, at most RANGE_MAX, giving about 16 ranges */
export function rangeBytes(size: number): number {
  let r = PIECE;
  while (r < RANGE_MAX && r * 16 < size) r *= 2;
  return r;
}

/** Splits whole-file tasks of a known, large size; returns undefined when none is split. */
export function splitTasks(tasks: readonly ReadTask[]): Split | undefined {
  if (!tasks.some(splittable)) return undefined;
  const out: ReadTask[] = [];
  const first = new Uint32Array(tasks.length);
  const count = new Uint32Array(tasks.length);
  tasks.forEach((t, i) => {
    first[i] = out.length;
    if (!splittable(t)) {
      out.push(t);
      count[i] = 1;
      return;
    }
    const size = t.expectedSize!;
    const step = rangeBytes(size);
    for (let start = 0; start < size; start += step) {
      out.push({ ...t, start, end: Math.min(size, start + step), subtree: true });
    }
    count[i] = out.length - first[i]!;
  });
  return { tasks: out, first, count };
}

const splittable = (t: ReadTask) =>
  t.start === undefined && t.end === undefined && t.expectedSize !== undefined && t.expectedSize >= SPLIT_MIN;

/** Each original task's digest: split ones joined from their ranges' chaining values. */
export function joinSplit(split: Split, digests: Uint8Array, tree: Blake3Tree): Uint8Array {
  const n = split.first.length;
  const out = new Uint8Array(n * 32);
  for (let i = 0; i < n; i++) {
    const f = split.first[i]!;
    const c = split.count[i]!;
    if (c === 1 && !split.tasks[f]!.subtree) {
      out.set(digests.subarray(f * 32, f * 32 + 32), i * 32);
      continue;
    }
    const stack = new CvStack(tree);
    for (let k = 0; k < c - 1; k++) stack.push(digests.slice((f + k) * 32, (f + k + 1) * 32));
    out.set(stack.finish(digests.slice((f + c - 1) * 32, (f + c) * 32), true), i * 32);
  }
  return out;
}

/**
 * BLAKE3's merge rule over chaining values in input order: after the n-th value (not the last),
 * merge once per trailing zero bit of n; the last value is then merged with every value left,
 * right to left, the topmost merge being the root when asked.
 */
class CvStack {
  private readonly stack: Uint8Array[] = [];
  private pushed = 0;
  private readonly block = new Uint8Array(64);
  private readonly tree: Blake3Tree;
  constructor(tree: Blake3Tree) {
    this.tree = tree;
  }

  push(cv: Uint8Array): void {
    let total = ++this.pushed;
    let v = cv;
    while ((total & 1) === 0) {
      v = this.parent(this.stack.pop()!, v, false);
      total >>= 1;
    }
    this.stack.push(v);
  }

  finish(last: Uint8Array, root: boolean): Uint8Array {
    let v = last;
    while (this.stack.length > 0) v = this.parent(this.stack.pop()!, v, root && this.stack.length === 0);
    return v;
  }

  private parent(left: Uint8Array, right: Uint8Array, root: boolean): Uint8Array {
    this.block.set(left, 0);
    this.block.set(right, 32);
    const out = new Uint8Array(32);
    this.tree.parentCv(this.block, root, out);
    return out;
  }
}

/**
 * The chaining value of one range [start, end) as a StreamHasher: reads arrive in 1 MiB pieces
 * aligned to the range start (copied into a piece buffer only if a read comes back short).
 * `digest()` returns the range's chaining value, never a root hash.
 */
export function subtreeHasher(tree: Blake3Tree, start: number): StreamHasher {
  if (start % PIECE !== 0) throw new Error('a BLAKE3 range must start on a 1 MiB boundary');
  const stack = new CvStack(tree);
  let chunk = start / CHUNK_LEN;
  let pending: Uint8Array | undefined;
  let buf: Uint8Array | undefined;
  let fill = 0;
  const piece = (data: Uint8Array) => {
    const cv = new Uint8Array(32);
    tree.subtreeCv(data, chunk, cv);
    chunk += data.length / CHUNK_LEN;
    if (pending) stack.push(pending);
    pending = cv;
  };
  return {
    update(d) {
      let off = 0;
      while (off < d.length) {
        if (fill === 0 && d.length - off >= PIECE) {
          piece(d.subarray(off, off + PIECE));
          off += PIECE;
          continue;
        }
        buf ??= new Uint8Array(PIECE);
        const take = Math.min(PIECE - fill, d.length - off);
        buf.set(d.subarray(off, off + take), fill);
        fill += take;
        off += take;
        if (fill === PIECE) {
          piece(buf);
          fill = 0;
        }
      }
    },
    digest() {
      if (fill > 0 && buf) piece(buf.subarray(0, fill));
      fill = 0;
      if (!pending) throw new Error('an empty BLAKE3 range');
      return stack.finish(pending, false);
    },
  };
}
