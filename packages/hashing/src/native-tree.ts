import { realpathSync } from 'node:fs';
import { concatBytes } from '@modelseal/core';
import { type NativeHasher, type NativeRun, runEncoded } from './native.ts';
import { STREAM_EVERY } from './native-stream.ts';

/** A model directory's files as the addon listed them, in canonical order, and their digests. */
export interface TreeHashed {
  readonly names: readonly string[];
  /** in the order of `names` */
  readonly digests: Uint8Array;
}

/** a small first batch: the pool threads start hashing while this thread lists the rest */
const FIRST_BATCH = 512;

/**
 * Lists a plain tree with the addon (a few thousand files per call, each batch hashed on the
 * pool threads while the next is listed) and hashes it; undefined where walk.ts must walk it
 * (symlinks, special files, names that are not UTF-8, any error), so that its rules and codes
 * apply. For 20k files this spares the main thread ~60 ms of Dirents, path strings and garbage.
 */
export async function hashTree(
  native: NativeHasher,
  path: string,
  ignore: ReadonlySet<string>,
  run: Pick<NativeRun, 'threads' | 'signal'>,
): Promise<TreeHashed | undefined> {
  const { addon } = native;
  if (typeof addon.listOpen !== 'function') return undefined; // a build from before listOpen()
  let root: string;
  try {
    root = realpathSync(path);
  } catch {
    return undefined;
  }
  // a NUL cannot be in a file name, so such an ignore path matches nothing (and must not be split)
  const usable = [...ignore].filter((p) => !p.includes('\0'));
  const handle = addon.listOpen(root, usable.length > 0 ? Buffer.from(`${usable.join('\0')}\0`) : null);
  if (typeof handle === 'string') return undefined;

  const stop = new AbortController();
  const onAbort = () => stop.abort(run.signal?.reason);
  run.signal?.addEventListener('abort', onAbort, { once: true });
  if (run.signal?.aborted) onAbort();
  const names: string[] = [];
  const batches: Promise<Uint8Array>[] = [];
  let failure: unknown;
  try {
    for (let max = FIRST_BATCH; ; max = STREAM_EVERY) {
      const next = addon.listNext(handle, max);
      if (typeof next === 'string') {
        stop.abort();
        await Promise.allSettled(batches);
        return undefined;
      }
      const [encoded, count, done] = next;
      if (count > 0) {
        const first = names.length;
        const buf = Buffer.from(encoded.buffer, encoded.byteOffset, encoded.byteLength);
        // one decode and one split per batch, not one string per file built from parts
        for (const name of buf.toString('utf8', 0, buf.length - 1).split('\0')) names.push(name);
        if (names.length !== first + count) {
          stop.abort();
          throw new Error('the addon listed names it did not count');
        }
        const batch = runEncoded(
          addon,
          { hashType: native.hashType, threads: run.threads, totalBytes: undefined, signal: stop.signal },
          { paths: encoded, count, ranges: null, root },
          (i) => ({ name: names[first + i]!, path: `${root}/${names[first + i]!}` }),
        );
        // the first failure stops the other batches, and is the one reported
        batch.catch((e) => {
          failure ??= e;
          stop.abort();
        });
        batches.push(batch);
      }
      if (done) break;
    }
    const parts = await Promise.allSettled(batches);
    run.signal?.throwIfAborted();
    if (failure !== undefined) throw failure;
    return { names, digests: concatBytes(parts.map((p) => (p as PromiseFulfilledResult<Uint8Array>).value)) };
  } finally {
    run.signal?.removeEventListener('abort', onAbort);
  }
}
