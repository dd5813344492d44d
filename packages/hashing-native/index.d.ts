/** Why a task failed: mirrors the kinds in src/hash_batch.c. */
export interface BatchFailure {
  readonly index: number;
  readonly kind: number;
  readonly errno: number;
  readonly expected: number;
  readonly actual: number;
}

/** A walk in progress, owned by the addon (freed when collected). */
export type ListHandle = { readonly __listHandle: unique symbol };

export interface HashBatchAddon {
  start(
    /** `count` NUL-terminated UTF-8 paths, one after another */
    paths: Uint8Array,
    count: number,
    ranges: Float64Array | null,
    algorithm: 'sha256' | 'blake2b512',
    digests: Uint8Array,
    stop: Int32Array,
    progress: BigInt64Array,
    threads: number,
    done: (failure: BatchFailure | null) => void,
    /** the paths are relative to this folder (opened once per thread); null: as given */
    root?: string | null,
  ): void;
  /**
   * Starts listing a plain tree's regular files in canonical order (depth first, by UTF-8 bytes),
   * relative to `root`; or, at anything the JS walk has a rule or an error for (symlink, special
   * file, non-UTF-8 name, read error), says why it stopped.
   */
  listOpen(
    root: string,
    /** NUL-terminated relative paths, skipped with everything below them */
    ignore: Uint8Array | null,
  ): ListHandle | string;
  /** the next files (at most `max`) as `count` NUL-terminated names, and whether the walk is done */
  listNext(handle: ListHandle, max: number): [names: Uint8Array, count: number, done: boolean] | string;
}

export declare const addon: HashBatchAddon | undefined;
