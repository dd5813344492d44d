import { parentPort, workerData } from 'node:worker_threads';
import { asModelsealError } from '@modelseal/core';
import { hasherFactory } from './hasher.ts';
import { hashTask } from './read.ts';
import { CTRL_NEXT, CTRL_STOP, decodeTask, type WorkerError, type WorkerInput } from './worker-protocol.ts';

/** Pulls task indexes from the shared counter until none are left or another worker failed. */
const input = workerData as WorkerInput;
const paths = input.paths.split('\0');
const names = input.names.split('\0');
const n = paths.length;
const ctrl = new Int32Array(input.ctrl);
const digests = new Uint8Array(input.digests);
const progress = input.progress ? new BigInt64Array(input.progress) : undefined;
const newHasher = await hasherFactory(input.hashType);
const buf = new Uint8Array(input.chunkSize);

class Stopped extends Error {}
const hooks = {
  onBytes: progress ? (b: number) => void Atomics.add(progress, 0, BigInt(b)) : undefined,
  afterChunk: () => {
    if (Atomics.load(ctrl, CTRL_STOP) !== 0) throw new Stopped();
  },
};

for (;;) {
  if (Atomics.load(ctrl, CTRL_STOP) !== 0) break;
  const i = Atomics.add(ctrl, CTRL_NEXT, 1);
  if (i >= n) break;
  try {
    const r = hashTask(decodeTask(paths, names, input.ranges, i), newHasher, buf, hooks);
    digests.set(r.digest, i * input.digestBytes);
  } catch (e) {
    if (e instanceof Stopped) break;
    Atomics.store(ctrl, CTRL_STOP, 1);
    const err = asModelsealError(e, { code: 'READ_FAILED', message: `hashing "${names[i]}" failed` });
    const msg: WorkerError = {
      type: 'error',
      index: i,
      error: { kind: err.kind, code: err.code, message: err.message, details: err.details },
    };
    parentPort!.postMessage(msg);
    break;
  }
}
