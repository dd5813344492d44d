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
  ): void;
}

export declare const addon: HashBatchAddon | undefined;
