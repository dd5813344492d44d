import { realpathSync } from 'node:fs';
import type { NativeHasher, NativeRun } from './native.ts';
import { runEncoded } from './native.ts';

/** A model directory's files as the addon listed them, in canonical order. */
export interface Listing {
  /** the real path of the model; the names are relative to it */
  readonly root: string;
  readonly names: readonly string[];
  /** the same names as the addon wrote them: handed back to it to hash, not encoded again */
  readonly encoded: Uint8Array;
}

/**
 * The files of a plain tree, listed by the addon in one call; undefined where walk.ts must do
 * it (symlinks, special files, names that are not UTF-8, any error), so that its rules and codes
 * apply: for 20k files this spares the main thread ~40 ms of Dirents, path strings and garbage.
 */
export function listTree(
  native: NativeHasher,
  path: string,
  ignore: ReadonlySet<string>,
): Listing | undefined {
  if (typeof native.addon.list !== 'function') return undefined; // a build from before list()
  let root: string;
  try {
    root = realpathSync(path);
  } catch {
    return undefined;
  }
  // a NUL cannot be in a file name, so such an ignore path matches nothing (and must not be split)
  const usable = [...ignore].filter((p) => !p.includes('\0'));
  const listed = native.addon.list(root, usable.length > 0 ? Buffer.from(`${usable.join('\0')}\0`) : null);
  if (typeof listed === 'string') return undefined;
  const [encoded, count] = listed;
  const buf = Buffer.from(encoded.buffer, encoded.byteOffset, encoded.byteLength);
  // one decode and one split for all names, not one string per file built from parts
  const names = count === 0 ? [] : buf.toString('utf8', 0, buf.length - 1).split('\0');
  if (names.length !== count) return undefined;
  return { root, names, encoded };
}

/** Hashes a listing on the addon's threads; the digests come back in the listing's order. */
export function hashListing(
  native: NativeHasher,
  listing: Listing,
  run: Pick<NativeRun, 'threads' | 'signal'>,
): Promise<Uint8Array> {
  const { root, names, encoded } = listing;
  return runEncoded(
    native.addon,
    { hashType: native.hashType, threads: run.threads, totalBytes: undefined, signal: run.signal },
    { paths: encoded, count: names.length, ranges: null, root },
    (i) => ({ name: names[i]!, path: `${root}/${names[i]!}` }),
  );
}
