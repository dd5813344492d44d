import { parentPort, workerData } from 'node:worker_threads';
import { HashFailure } from './failure.ts';
import { type HasherFactory, hasherFactory } from './hasher.ts';
import { hashTask } from './read.ts';
import {
  CTRL_NEXT,
  CTRL_STOP,
  decodeTask,
  progressCounter,
  type WorkerBoot,
  type WorkerDone,
  type WorkerError,
  type WorkerJob,
} from './worker-protocol.ts';

/** Loads, waits for one job, then pulls task indexes from the shared counter. */
const boot = workerData as WorkerBoot;
const ctrl = new Int32Array(boot.ctrl);
const progress = progressCounter(new BigInt64Array(boot.progress));
const buf = new Uint8Array(boot.chunkSize);

class Stopped extends Error {}
const hooks = {
  onBytes: progress.add,
  afterChunk: () => {
    if (Atomics.load(ctrl, CTRL_STOP) !== 0) throw new Stopped();
  },
};

parentPort!.once('message', async (job: WorkerJob) => {
  work(job, await hasherFactory(job.hashType));
  progress.flush();
  // The parent goes on at this message rather than at our exit: tearing a thread down takes ~10 ms.
  parentPort!.postMessage({ type: 'done' } satisfies WorkerDone);
  parentPort!.close();
});

function work(job: WorkerJob, newHasher: HasherFactory): void {
  const paths = job.paths.split('\0');
  const names = job.names.split('\0');
  const digests = new Uint8Array(job.digests);
  for (;;) {
    if (Atomics.load(ctrl, CTRL_STOP) !== 0) return;
    const i = Atomics.add(ctrl, CTRL_NEXT, 1);
    if (i >= paths.length) return;
    try {
      const r = hashTask(decodeTask(paths, names, job.ranges, i), newHasher, buf, hooks);
      digests.set(r.digest, i * job.digestBytes);
    } catch (e) {
      if (e instanceof Stopped) return;
      Atomics.store(ctrl, CTRL_STOP, 1);
      const err =
        e instanceof HashFailure
          ? e
          : new HashFailure(
              'internal',
              'READ_FAILED',
              `hashing "${names[i]}" failed: ${(e as Error)?.message ?? String(e)}`,
            );
      const msg: WorkerError = {
        type: 'error',
        index: i,
        error: { kind: err.kind, code: err.code, message: err.message, details: err.details },
      };
      parentPort!.postMessage(msg);
      return;
    }
  }
}
