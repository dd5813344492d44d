import { Worker } from 'node:worker_threads';
import { InternalError, type ModelsealError } from '@modelseal/core';
import type { ReadTask } from './read.ts';
import type { HashType } from './types.ts';
import {
  CTRL_STOP,
  encodeTasks,
  reviveError,
  type WorkerError,
  type WorkerInput,
} from './worker-protocol.ts';

export interface PoolOptions {
  readonly hashType: HashType;
  readonly digestBytes: number;
  readonly workers: number;
  readonly chunkSize: number;
  readonly totalBytes: number | undefined;
  readonly onProgress?: (done: number, total: number) => void;
  readonly signal?: AbortSignal;
}

const WORKER_URL = new URL('./worker.ts', import.meta.url);
const PROGRESS_MS = 100;

/** Hashes every task on a fixed set of worker threads; returns the raw digests, task i at i * digestBytes. */
export async function hashInPool(tasks: readonly ReadTask[], o: PoolOptions): Promise<Uint8Array> {
  o.signal?.throwIfAborted();
  const ctrlBuf = new SharedArrayBuffer(8);
  const ctrl = new Int32Array(ctrlBuf);
  const progressBuf = o.onProgress ? new SharedArrayBuffer(8) : undefined;
  const digests = new SharedArrayBuffer(Math.max(1, tasks.length * o.digestBytes));
  const input: WorkerInput = {
    ...encodeTasks(tasks),
    hashType: o.hashType,
    digestBytes: o.digestBytes,
    chunkSize: o.chunkSize,
    ctrl: ctrlBuf,
    progress: progressBuf,
    digests,
  };
  let failure: ModelsealError | undefined;
  const fail = (e: ModelsealError) => {
    failure ??= e;
    Atomics.store(ctrl, CTRL_STOP, 1);
  };
  const onAbort = () => Atomics.store(ctrl, CTRL_STOP, 1);
  o.signal?.addEventListener('abort', onAbort, { once: true });
  const report = () => {
    if (!progressBuf || !o.onProgress) return;
    const done = Number(Atomics.load(new BigInt64Array(progressBuf), 0));
    o.onProgress(done, Math.max(done, o.totalBytes ?? 0));
  };
  const timer = o.onProgress ? setInterval(report, PROGRESS_MS) : undefined;
  try {
    const count = Math.max(1, Math.min(o.workers, tasks.length));
    await Promise.all(Array.from({ length: count }, () => runWorker(input, fail)));
  } finally {
    if (timer) clearInterval(timer);
    o.signal?.removeEventListener('abort', onAbort);
  }
  o.signal?.throwIfAborted();
  if (failure) throw failure;
  report();
  return new Uint8Array(digests);
}

function runWorker(input: WorkerInput, fail: (e: ModelsealError) => void): Promise<void> {
  return new Promise((resolve) => {
    const w = new Worker(WORKER_URL, { workerData: input });
    w.on('message', (m: WorkerError) => {
      if (m?.type === 'error') fail(reviveError(m.error));
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
