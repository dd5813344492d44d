import type { Statement } from '@modelseal/attest';

export interface StoredBundle {
  readonly bundle: Uint8Array;
  /** where it came from (file path, object name): shown in reasons */
  readonly source: string;
  /** unverified hint read from the payload; the verified statement is authoritative */
  readonly predicateType?: string;
}

/** Something in the store that could not be read as a bundle; reported, never fatal. */
export interface StoreFailure {
  readonly code: string;
  readonly message: string;
  readonly source: string;
}

/** A plain array works too: `failures` is optional so any Store implementation stays simple. */
export type FoundBundles = readonly StoredBundle[] & {
  readonly failures?: readonly StoreFailure[];
  /**
   * Set by a store that knows what content the subject digest names (an OCI store for a ModelPack
   * manifest): whether a verified statement that names another digest signs exactly that content.
   */
  readonly binds?: (statement: Statement) => boolean;
};

export interface Store {
  /** every bundle filed under a `sha256:<hex>` subject digest, optionally only one predicate type */
  find(subjectDigest: string, predicateType?: string): Promise<FoundBundles>;
}

export interface StoreLimits {
  readonly maxBundleBytes?: number;
  readonly maxBundlesPerSubject?: number;
}

export interface DirectoryStore extends Store {
  readonly root: string;
  /** files a bundle atomically; returns its path */
  put(subjectDigest: string, predicateType: string, bundle: Uint8Array): Promise<string>;
}
