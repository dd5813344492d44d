import { getCompileCacheDir } from 'node:module';
import { Worker } from 'node:worker_threads';
import { InternalError, type ModelsealError } from '@modelseal/core';
import { revive, toModelsealError } from './errors.ts';
import type { HasherFactory } from './hasher.ts';
import { hashTask, type ReadTask } from './read.ts';
import type { HashType } from './types.ts';
import {
  CTRL_NEXT,
  CTRL_READY,
  CTRL_SLOTS,
  CTRL_STOP,
  encodeTasks,
  type WorkerBoot,
  type WorkerError,
  type WorkerJob,
} from './worker-protocol.ts';

export interface PoolRun {
  readonly tasks: readonly ReadTask[];
  readonly digestBytes: number;
  readonly totalBytes: number | undefined;
  /** hashes on the calling thread too, but only until the first worker is up (bounded blocking) */
  readonly mainHasher?: HasherFactory;
  readonly onProgress?: (done: number, total: number) => void;
  readonly signal?: AbortSignal;
}

export interface Pool {
  run(job: PoolRun): Promise<Uint8Array>;
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

/**
 * Starts the workers at once, so loading their code overlaps walking the model; the work list
 * follows in a single message, and tasks are then taken from a shared counter.
 */
export function startPool(size: number, hashType: HashType, chunkSize: number): Pool {
  const boot: WorkerBoot = {
    hashType,
    chunkSize,
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
  const exited = workers.map((w) => watch(w, fail));
  let used = false;

  return {
    cancel() {
      if (used) return;
      used = true;
      // Unused workers may still be loading: end them now rather than keep the process alive.
      for (const w of workers) void w.terminate();
    },
    async run(job) {
      if (used) throw new InternalError({ code: 'POOL_REUSED', message: 'a hashing pool runs one job' });
      used = true;
      const digests = new SharedArrayBuffer(Math.max(1, job.tasks.length * job.digestBytes));
      const msg: WorkerJob = {
        type: 'job',
        ...encodeTasks(job.tasks),
        digestBytes: job.digestBytes,
        digests,
      };
      for (const w of workers) w.postMessage(msg);
      const onAbort = () => Atomics.store(ctrl, CTRL_STOP, 1);
      job.signal?.addEventListener('abort', onAbort, { once: true });
      const progress = new BigInt64Array(boot.progress);
      const report = () => {
        const done = Number(Atomics.load(progress, 0));
        job.onProgress?.(done, Math.max(done, job.totalBytes ?? 0));
      };
      const timer = job.onProgress ? setInterval(report, PROGRESS_MS) : undefined;
      try {
        if (job.mainHasher) helpUntilWorkersReady(job, job.mainHasher, ctrl, progress, digests, fail);
        await Promise.all(exited);
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
    },
  };
}

/** Worker start-up costs tens of milliseconds; the calling thread hashes in the meantime. */
function helpUntilWorkersReady(
  job: PoolRun,
  newHasher: HasherFactory,
  ctrl: Int32Array,
  progress: BigInt64Array,
  digests: SharedArrayBuffer,
  fail: (e: ModelsealError) => void,
): void {
  const out = new Uint8Array(digests);
  const buf = new Uint8Array(1 << 18);
  const hooks = { onBytes: (b: number) => void Atomics.add(progress, 0, BigInt(b)) };
  while (
    Atomics.load(ctrl, CTRL_READY) === 0 &&
    Atomics.load(ctrl, CTRL_STOP) === 0 &&
    !job.signal?.aborted
  ) {
    const i = Atomics.add(ctrl, CTRL_NEXT, 1);
    if (i >= job.tasks.length) return;
    try {
      out.set(hashTask(job.tasks[i]!, newHasher, buf, hooks).digest, i * job.digestBytes);
    } catch (e) {
      fail(toModelsealError(e));
      return;
    }
  }
}

function watch(w: Worker, fail: (e: ModelsealError) => void): Promise<void> {
  return new Promise((resolve) => {
    w.on('message', (m: WorkerError) => {
      if (m?.type === 'error') fail(revive(m.error));
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
