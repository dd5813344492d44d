import { InternalError, type ModelsealError } from '@modelseal/core';
import type { HashType } from '@modelseal/manifest';
import { revive, toModelsealError } from './errors.ts';
import type { HasherFactory } from './hasher.ts';
import { hashSteps, type ReadTask } from './read.ts';
import { CHUNK, type Spawned, spawnWorkers, type ThreadFailure, takeSpare } from './threads.ts';
import { CTRL_NEXT, CTRL_STOP, encodeTasks, progressCounter, type WorkerJob } from './worker-protocol.ts';

export interface PoolRun {
  readonly hashType: HashType;
  readonly tasks: readonly ReadTask[];
  readonly digestBytes: number;
  readonly totalBytes: number | undefined;
  /** the calling thread's hasher: it is one of the hashing threads */
  readonly hasher: HasherFactory;
  readonly onProgress?: (done: number, total: number) => void;
  readonly signal?: AbortSignal;
}

/** A job the workers have started on. */
export interface Running {
  /** the calling thread joins in; resolves with every digest, in task order */
  finish(): Promise<Uint8Array>;
}

export interface Pool {
  /** hands the job to the workers; until `finish()`, the calling thread is free for other work */
  start(job: PoolRun): Running;
  /** for a pool whose job turned out too small to need it */
  cancel(): void;
}

const PROGRESS_MS = 100;
/** the calling thread hashes in slices this long, then lets timers, signals and I/O run */
const SLICE_MS = 50;

/**
 * A pool for `concurrency` hashing threads: the calling thread is one of them, so it starts
 * `concurrency - 1` workers (each costs ~40 ms of start-up CPU, which on two cores competes with
 * the walk). The prestarted pool is adopted when it fits.
 */
export function takePool(concurrency: number): Pool {
  const size = concurrency - 1;
  return poolOf(takeSpare(size) ?? spawnWorkers(size));
}

/** A pool of `size` new workers (tests use it directly). */
export const startPool = (size: number): Pool => poolOf(spawnWorkers(size));

/**
 * The workers are already loading, so that overlaps walking the model; the work list follows in a
 * single message, and tasks are then taken from a shared counter.
 */
function poolOf({ boot, workers, ended, listen }: Spawned): Pool {
  const ctrl = new Int32Array(boot.ctrl);
  let failure: ModelsealError | undefined;
  const fail = (e: ModelsealError) => {
    failure ??= e;
    Atomics.store(ctrl, CTRL_STOP, 1);
  };
  listen((f) => fail(threadError(f)));
  let used = false;

  return {
    cancel() {
      if (used) return;
      used = true;
      // Unused workers may still be loading: end them now rather than keep the process alive.
      for (const w of workers) void w.terminate();
    },
    start(job) {
      if (used) throw new InternalError({ code: 'POOL_REUSED', message: 'a hashing pool runs one job' });
      used = true;
      const digests = new SharedArrayBuffer(Math.max(1, job.tasks.length * job.digestBytes));
      const msg: WorkerJob = {
        type: 'job',
        hashType: job.hashType,
        ...encodeTasks(job.tasks),
        digestBytes: job.digestBytes,
        digests,
      };
      for (const w of workers) {
        w.ref();
        w.postMessage(msg);
      }
      return { finish: () => join(job, digests) };
    },
  };

  async function join(job: PoolRun, digests: SharedArrayBuffer): Promise<Uint8Array> {
    const stop = () => failure !== undefined || Atomics.load(ctrl, CTRL_STOP) !== 0;
    const onAbort = () => Atomics.store(ctrl, CTRL_STOP, 1);
    job.signal?.addEventListener('abort', onAbort, { once: true });
    // an abort between start() and finish() found no listener yet
    if (job.signal?.aborted) onAbort();
    const progress = new BigInt64Array(boot.progress);
    const counted = progressCounter(progress);
    const report = () => {
      const done = Number(Atomics.load(progress, 0));
      job.onProgress?.(done, Math.max(done, job.totalBytes ?? 0));
    };
    const timer = job.onProgress ? setInterval(report, PROGRESS_MS) : undefined;
    try {
      await hashOnThisThread(job, ctrl, counted, digests, stop, fail);
      await Promise.all(ended);
    } finally {
      counted.flush();
      if (timer) clearInterval(timer);
      job.signal?.removeEventListener('abort', onAbort);
    }
    job.signal?.throwIfAborted();
    if (failure) throw failure;
    if (Atomics.load(ctrl, CTRL_NEXT) < job.tasks.length) {
      throw new InternalError({
        code: 'WORKER_CRASHED',
        message: 'the hashing workers stopped before every file was hashed',
      });
    }
    report();
    return new Uint8Array(digests);
  }
}

/**
 * The calling thread takes tasks from the same counter as the workers, in time slices (paused
 * between chunks of a big file too) so that timers such as the progress bar, abort signals and
 * I/O still get their turn.
 */
async function hashOnThisThread(
  job: PoolRun,
  ctrl: Int32Array,
  counted: { add(n: number): void },
  digests: SharedArrayBuffer,
  stop: () => boolean,
  fail: (e: ModelsealError) => void,
): Promise<void> {
  const out = new Uint8Array(digests);
  const buf = new Uint8Array(CHUNK);
  const hooks = { onBytes: counted.add };
  let sliceEnd = performance.now() + SLICE_MS;
  const pause = async () => {
    await new Promise((resolve) => setImmediate(resolve));
    sliceEnd = performance.now() + SLICE_MS;
  };
  for (;;) {
    if (stop() || job.signal?.aborted) return;
    const i = Atomics.add(ctrl, CTRL_NEXT, 1);
    if (i >= job.tasks.length) return;
    const steps = hashSteps(job.tasks[i]!, job.hasher, buf, hooks);
    try {
      let r = steps.next();
      while (!r.done) {
        if (performance.now() >= sliceEnd) {
          await pause();
          if (stop() || job.signal?.aborted) return;
        }
        r = steps.next();
      }
      out.set(r.value.digest, i * job.digestBytes);
    } catch (e) {
      fail(toModelsealError(e));
      return;
    } finally {
      // closes the file when we stopped half-way through it
      steps.return(undefined as never);
    }
    if (performance.now() >= sliceEnd) await pause();
  }
}

function threadError(f: ThreadFailure): ModelsealError {
  switch (f.kind) {
    case 'reported':
      return revive(f.record);
    case 'crashed':
      return new InternalError({
        code: 'WORKER_CRASHED',
        message: `a hashing worker crashed: ${f.error.message}`,
        cause: f.error,
      });
    case 'exited':
      return new InternalError({
        code: 'WORKER_CRASHED',
        message: `a hashing worker exited with code ${f.code}`,
      });
    default: {
      const never: never = f;
      return new InternalError({ code: 'WORKER_CRASHED', message: `unknown failure ${String(never)}` });
    }
  }
}
