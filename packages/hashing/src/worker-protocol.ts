import type { HashType } from '@modelseal/manifest';
import type { FailureRecord } from './errors.ts';
import type { ReadTask } from './read.ts';

/*
 * Main thread <-> hashing worker. Work is handed out through a shared counter (no message per
 * task); digests land in a shared buffer; a message goes back only for an error and at the end.
 */

export const CTRL_NEXT = 0;
export const CTRL_STOP = 1;
export const CTRL_SLOTS = 2;

/** Given when the worker starts, possibly before the command line has been parsed. */
export interface WorkerBoot {
  readonly chunkSize: number;
  readonly ctrl: SharedArrayBuffer;
  readonly progress: SharedArrayBuffer;
}

/** Posted once the work list is known. */
export interface WorkerJob {
  readonly type: 'job';
  readonly hashType: HashType;
  /** task paths joined by NUL (a byte no path can contain): one string clones far faster than 100k */
  readonly paths: string;
  readonly names: string;
  /** start, end, expectedSize, subtree (1) per task; NaN = not set */
  readonly ranges: Float64Array;
  readonly digestBytes: number;
  readonly digests: SharedArrayBuffer;
}

/** Sent when the worker has no more work; it then exits by itself, which takes a while. */
export interface WorkerDone {
  readonly type: 'done';
}

export interface WorkerError {
  readonly type: 'error';
  readonly index: number;
  readonly error: FailureRecord;
}

/**
 * Adds to the shared bytes-hashed counter in steps of at least 1 MiB: a shared BigInt update per
 * 4 KiB file is measurable, a progress bar redrawn every 100 ms cannot tell the difference.
 */
export function progressCounter(shared: BigInt64Array): { add(n: number): void; flush(): void } {
  let pending = 0;
  const flush = () => {
    if (pending > 0) Atomics.add(shared, 0, BigInt(pending));
    pending = 0;
  };
  return {
    add(n) {
      pending += n;
      if (pending >= 1 << 20) flush();
    },
    flush,
  };
}

const SLOTS = 4;

export function encodeTasks(tasks: readonly ReadTask[]): Pick<WorkerJob, 'paths' | 'names' | 'ranges'> {
  const ranges = new Float64Array(tasks.length * SLOTS);
  tasks.forEach((t, i) => {
    ranges[i * SLOTS] = t.start ?? Number.NaN;
    ranges[i * SLOTS + 1] = t.end ?? Number.NaN;
    ranges[i * SLOTS + 2] = t.expectedSize ?? Number.NaN;
    ranges[i * SLOTS + 3] = t.subtree ? 1 : Number.NaN;
  });
  return { paths: tasks.map((t) => t.path).join('\0'), names: tasks.map((t) => t.name).join('\0'), ranges };
}

export function decodeTask(
  paths: readonly string[],
  names: readonly string[],
  ranges: Float64Array,
  i: number,
): ReadTask {
  const num = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? undefined : x);
  return {
    path: paths[i]!,
    name: names[i]!,
    start: num(ranges[i * SLOTS]),
    end: num(ranges[i * SLOTS + 1]),
    expectedSize: num(ranges[i * SLOTS + 2]),
    subtree: ranges[i * SLOTS + 3] === 1,
  };
}
