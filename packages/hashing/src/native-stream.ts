import { concatBytes } from '@modelseal/core';
import { type NativeHasher, type NativeRun, runBatch } from './native.ts';
import type { Running } from './pool.ts';
import type { ReadTask } from './read.ts';
import type { WalkedFile } from './walk.ts';

/** Files handed to the addon while the walk goes on: 20k files take the walk ~20 ms. */
export const STREAM_EVERY = 4096;

export interface NativeJobRun {
  readonly threads: number;
  readonly onProgress?: (done: number, total: number) => void;
  readonly signal?: AbortSignal;
}

/**
 * A job on the addon's pool threads, in batches: `onFiles` (walkModel's hook) starts one as the
 * walk finds files, so the pool hashes the first folders while this thread reads the next;
 * `finish` starts the rest of the plan. Streaming is only for jobs without progress: a progress
 * total needs every size before the first byte is read, so such a job is one batch.
 */
export interface NativeJob {
  readonly onFiles: (files: readonly WalkedFile[]) => void;
  /** the whole plan: the tasks batches already took come first in it, in the same order */
  finish(tasks: readonly ReadTask[], totalBytes: number | undefined): Running;
  /** the walk failed: stop what was started, and let it fail quietly */
  cancel(): void;
}

export function nativeJob(native: NativeHasher, run: NativeJobRun): NativeJob {
  const stop = new AbortController();
  const onAbort = () => stop.abort(run.signal?.reason);
  run.signal?.addEventListener('abort', onAbort, { once: true });
  if (run.signal?.aborted) onAbort();
  const batches: Promise<Uint8Array>[] = [];
  let count = 0;
  const start = (tasks: readonly ReadTask[], progress?: Pick<NativeRun, 'totalBytes' | 'onProgress'>) => {
    const p = runBatch(native.addon, {
      hashType: native.hashType,
      threads: run.threads,
      tasks,
      totalBytes: undefined,
      ...progress,
      signal: stop.signal,
    });
    // awaited in finish(); until then a failure must not count as unhandled
    p.catch(() => {});
    batches.push(p);
    count += tasks.length;
  };
  return {
    onFiles: (files) => start(files.map((f) => ({ path: f.path, name: f.name }))),
    cancel: () => {
      run.signal?.removeEventListener('abort', onAbort);
      stop.abort();
    },
    finish(tasks, totalBytes) {
      // a job of one batch reports progress (see above); a streamed one has none to report
      if (count === 0) start(tasks, { totalBytes, onProgress: run.onProgress });
      else if (tasks.length > count) start(tasks.slice(count));
      const all = Promise.all(batches).finally(() => run.signal?.removeEventListener('abort', onAbort));
      all.catch(() => {});
      return {
        finish: async () => concatBytes(await all),
      };
    },
  };
}
