import type { HashBatchAddon } from '@modelseal/hashing-native';
import { runBatch } from './native.ts';
import type { Running } from './pool.ts';
import type { ReadTask } from './read.ts';
import type { WalkedFile } from './walk.ts';

/** Files handed to the addon while the walk goes on: 20k files take the walk ~20 ms. */
export const STREAM_EVERY = 4096;

export interface StreamRun {
  readonly hashType: 'sha256' | 'blake2b';
  readonly threads: number;
  readonly signal?: AbortSignal;
}

/**
 * Batches of a `files` job started as the walk finds them (walkModel's `onFiles`), so the pool
 * threads hash the first folders while this thread reads the next. Only without a progress total:
 * that needs every size before the first byte is read.
 */
export interface Streamed {
  readonly onFiles: (files: readonly WalkedFile[]) => void;
  /** how many tasks (from the start of the walk's list) are already under way */
  started(): number;
  /** the rest of the list; resolves with every digest in list order */
  finish(rest: readonly ReadTask[], digestBytes: number): Running;
  /** the walk failed: stop what was started, and let it fail quietly */
  cancel(): void;
}

export function streamBatches(addon: HashBatchAddon, run: StreamRun): Streamed {
  const stop = new AbortController();
  const onAbort = () => stop.abort(run.signal?.reason);
  run.signal?.addEventListener('abort', onAbort, { once: true });
  if (run.signal?.aborted) onAbort();
  const batches: Promise<Uint8Array>[] = [];
  let count = 0;
  const start = (tasks: readonly ReadTask[]) => {
    const p = runBatch(addon, { ...run, tasks, totalBytes: undefined, signal: stop.signal });
    // awaited in finish(); until then a failure must not count as unhandled
    p.catch(() => {});
    batches.push(p);
    count += tasks.length;
  };
  return {
    onFiles: (files) => start(files.map((f) => ({ path: f.path, name: f.name }))),
    started: () => count,
    cancel: () => {
      run.signal?.removeEventListener('abort', onAbort);
      stop.abort();
    },
    finish(rest, digestBytes) {
      if (rest.length > 0) start(rest);
      const all = Promise.all(batches).finally(() => run.signal?.removeEventListener('abort', onAbort));
      all.catch(() => {});
      return {
        finish: async () => {
          const parts = await all;
          const out = new Uint8Array(count * digestBytes);
          let at = 0;
          for (const part of parts) {
            out.set(part, at);
            at += part.length;
          }
          return out;
        },
      };
    },
  };
}
