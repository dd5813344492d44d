import { getCompileCacheDir } from 'node:module';
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { FailureRecord } from './errors.ts';
import { nativeBatch } from './native-load.ts';
import {
  CTRL_SLOTS,
  CTRL_STOP,
  type WorkerBoot,
  type WorkerDone,
  type WorkerError,
} from './worker-protocol.ts';

/*
 * Starting hashing threads, kept apart from the pool: a CLI about to hash imports this module
 * first thing, and it loads nothing but Node built-ins, so the threads start before the rest of
 * the program is even loaded.
 */

/** Two threads saturate a typical CI runner's cores; more only queue on the same disk. */
export const defaultConcurrency = (): number => Math.min(2, availableParallelism());

/** 1 MiB reads keep the data in the core's cache (bench/hashing.bench.ts). */
export const CHUNK = 1 << 20;

/** Why a worker could not finish its job; the pool turns it into a typed error. */
export type ThreadFailure =
  | { readonly kind: 'reported'; readonly record: FailureRecord }
  | { readonly kind: 'crashed'; readonly error: Error }
  | { readonly kind: 'exited'; readonly code: number };

/** Started workers and the shared memory they were given. */
export interface Spawned {
  readonly boot: WorkerBoot;
  readonly workers: readonly Worker[];
  /** one per worker: settles when it is done with its job, or has exited */
  readonly ended: readonly Promise<void>[];
  /** failures so far, then each later one as it happens, go to `sink` */
  listen(sink: (f: ThreadFailure) => void): void;
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

/** Starts `size` workers at once; they load their code, then wait for one job. */
export function spawnWorkers(size: number): Spawned {
  const boot: WorkerBoot = {
    chunkSize: CHUNK,
    ctrl: new SharedArrayBuffer(4 * CTRL_SLOTS),
    progress: new SharedArrayBuffer(8),
  };
  const source = workerSource();
  // loaded here, not imported: the native batch needs no thread, and the module costs ~3 ms to load
  const { Worker } = process.getBuiltinModule('node:worker_threads');
  const workers = Array.from({ length: size }, () => new Worker(source, { eval: true, workerData: boot }));
  // Watched from the start: a worker can fail, or exit, before anyone has taken it.
  const early: ThreadFailure[] = [];
  let sink: (f: ThreadFailure) => void = (f) => void early.push(f);
  const ctrl = new Int32Array(boot.ctrl);
  const failed = (f: ThreadFailure) => {
    Atomics.store(ctrl, CTRL_STOP, 1);
    sink(f);
  };
  const ended = workers.map((w) => watch(w, failed));
  return {
    boot,
    workers,
    ended,
    listen(s) {
      sink = s;
      for (const f of early.splice(0)) s(f);
    },
  };
}

function watch(w: Worker, failed: (f: ThreadFailure) => void): Promise<void> {
  return new Promise((resolve) => {
    w.on('message', (m: WorkerDone | WorkerError) => {
      if (m?.type === 'error') failed({ kind: 'reported', record: m.error });
      else if (m?.type === 'done') resolve();
    });
    w.on('error', (error) => failed({ kind: 'crashed', error }));
    w.on('exit', (code) => {
      if (code !== 0) failed({ kind: 'exited', code });
      resolve();
    });
  });
}

let spare: Spawned | undefined;

/**
 * Starts hashing workers before anyone knows they are needed: a CLI about to hash a directory
 * calls this first thing, so the workers' start-up (~50 ms) overlaps loading the rest of the
 * program. They do not keep the process alive, and the next pool of the same size adopts them.
 * `blake3`: the command may hash with BLAKE3 (the only hash the JS threads alone serve).
 */
export function prestartWorkers(
  concurrency: number = defaultConcurrency(),
  opts: { readonly blake3?: boolean } = {},
): void {
  if (concurrency <= 1 || spare) return;
  // SHA-256 and BLAKE2b hash in the native batch addon's threads when it is built: a JS thread
  // starting now would only compete with them for the second core
  if (!opts.blake3 && nativeBatch()) return;
  spare = spawnWorkers(concurrency - 1);
  // after the listeners: adding a 'message' listener refs a worker's port again
  for (const w of spare.workers) w.unref();
}

/** The prestarted workers, once, if there are `size` of them; others are ended. */
export function takeSpare(size: number): Spawned | undefined {
  const s = spare;
  spare = undefined;
  if (s?.workers.length === size) return s;
  // Unused workers may still be loading: end them now rather than keep the process alive.
  for (const w of s?.workers ?? []) void w.terminate();
  return undefined;
}
export { disableNativeHashing } from './native-load.ts';
