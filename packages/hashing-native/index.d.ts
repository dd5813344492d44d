/** Why a task failed: mirrors the kinds in src/hash_batch.c. */
export interface BatchFailure {
  readonly index: number;
  readonly kind: number;
  readonly errno: number;
  readonly expected: number;
  readonly actual: number;
}

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
   * A plain tree's regular files in canonical order (depth first, by UTF-8 bytes), relative to
   * `root`, as `count` NUL-terminated names; or, at anything the JS walk has a rule or an error
   * for (symlink, special file, non-UTF-8 name, read error), why it stopped.
   */
  list(
    root: string,
    /** NUL-terminated relative paths, skipped with everything below them */
    ignore: Uint8Array | null,
  ): [names: Uint8Array, count: number] | string;
}

export declare const addon: HashBatchAddon | undefined;
