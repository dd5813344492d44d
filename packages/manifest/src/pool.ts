import { getCompileCacheDir } from 'node:module';
import { Worker } from 'node:worker_threads';
import { InternalError, type ModelsealError } from '@modelseal/core';
import { defaultConcurrency } from './config.ts';
import { revive, toModelsealError } from './errors.ts';
import type { HasherFactory } from './hasher.ts';
import { hashSteps, type ReadTask } from './read.ts';
import type { HashType } from './types.ts';
import {
  CTRL_NEXT,
  CTRL_SLOTS,
  CTRL_STOP,
  encodeTasks,
  type WorkerBoot,
  type WorkerDone,
  type WorkerError,
  type WorkerJob,
} from './worker-protocol.ts';

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

const WORKER_URL = new URL('./worker.ts', import.meta.url).href;

/*
 * A worker does not share its parent's compile cache: without one it loads the TypeScript stripper
 * and strips worker.ts and its imports again (~40 ms per worker, measured). A plain-JS bootstrap
 * turns the cache on, in the parent's directory, and only if the parent has it on.
 */
function workerSource(): string {
  const dir = getCompileCacheDir();
  const enable = dir ? `require('node:module').enableCompileCache(${JSON.stringify(dir)});` : '';
  return `${enable}import(${JSON.stringify(WORKER_URL)});`;
}
const PROGRESS_MS = 100;
/** the calling thread hashes in slices this long, then lets timers, signals and I/O run */
const SLICE_MS = 50;

/** 1 MiB reads keep the data in the core's cache (bench/hashing.bench.ts). */
export const CHUNK = 1 << 20;

let spare: { readonly size: number; readonly pool: Pool } | undefined;

/**
 * Starts hashing workers before anyone knows they are needed: a CLI about to hash a directory
 * calls this first thing, so the workers' start-up (~40 ms each) overlaps loading the rest of the
 * program. The pool does not keep the process alive, and a later `takePool` for the same
 * concurrency adopts it.
 */
export function prestartWorkers(concurrency: number = defaultConcurrency()): void {
  if (concurrency > 1) spare ??= { size: concurrency - 1, pool: startPool(concurrency - 1, { idle: true }) };
}

/**
 * A pool for `concurrency` hashing threads: the calling thread is one of them, so it starts
 * `concurrency - 1` workers (each costs ~40 ms of start-up CPU, which on two cores competes with
 * the walk). The prestarted pool is adopted when it fits.
 */
export function takePool(concurrency: number): Pool {
  const size = concurrency - 1;
  const s = spare;
  spare = undefined;
  if (s?.size === size) return s.pool;
  s?.pool.cancel();
  return startPool(size);
}

/**
 * Starts the workers at once, so loading their code overlaps walking the model; the work list
 * follows in a single message, and tasks are then taken from a shared counter. An idle pool's
 * workers do not hold the process open until a job is given to them.
 */
export function startPool(size: number, { idle = false }: { idle?: boolean } = {}): Pool {
  const boot: WorkerBoot = {
    chunkSize: CHUNK,
    ctrl: new SharedArrayBuffer(4 * CTRL_SLOTS),
    progress: new SharedArrayBuffer(8),
  };
  const ctrl = new Int32Array(boot.ctrl);
  let failure: ModelsealError | undefined;
  const fail = (e: ModelsealError) => {
    failure ??= e;
    Atomics.store(ctrl, CTRL_STOP, 1);
  };
  const source = workerSource();
  const workers = Array.from({ length: size }, () => new Worker(source, { eval: true, workerData: boot }));
  const finished = workers.map((w) => watch(w, fail));
  // after watch(): adding a 'message' listener refs the worker's port again
  if (idle) for (const w of workers) w.unref();
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
    const report = () => {
      const done = Number(Atomics.load(progress, 0));
      job.onProgress?.(done, Math.max(done, job.totalBytes ?? 0));
    };
    const timer = job.onProgress ? setInterval(report, PROGRESS_MS) : undefined;
    try {
      await hashOnThisThread(job, ctrl, progress, digests, stop, fail);
      await Promise.all(finished);
    } finally {
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
  progress: BigInt64Array,
  digests: SharedArrayBuffer,
  stop: () => boolean,
  fail: (e: ModelsealError) => void,
): Promise<void> {
  const out = new Uint8Array(digests);
  const buf = new Uint8Array(CHUNK);
  const hooks = { onBytes: (b: number) => void Atomics.add(progress, 0, BigInt(b)) };
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

/** Resolves once the worker is done with its job (it exits by itself after) or has exited. */
function watch(w: Worker, fail: (e: ModelsealError) => void): Promise<void> {
  return new Promise((resolve) => {
    w.on('message', (m: WorkerDone | WorkerError) => {
      if (m?.type === 'error') fail(revive(m.error));
      else if (m?.type === 'done') resolve();
    });
    w.on('error', (e) => {
      fail(
        new InternalError({
          code: 'WORKER_CRASHED',
          message: `a hashing worker crashed: ${e.message}`,
          cause: e,
        }),
      );
    });
    w.on('exit', (code) => {
      if (code !== 0)
        fail(
          new InternalError({ code: 'WORKER_CRASHED', message: `a hashing worker exited with code ${code}` }),
        );
      resolve();
    });
  });
}
