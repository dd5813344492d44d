/** The OMS ("model_signing") manifest: what was hashed, how, and the digest of every resource. */
export type HashType = 'sha256' | 'blake2b' | 'blake3';

export type Serialization =
  | {
      readonly method: 'files';
      readonly hashType: HashType;
      readonly allowSymlinks: boolean;
      readonly ignorePaths: readonly string[];
    }
  | {
      readonly method: 'shards';
      readonly hashType: HashType;
      readonly allowSymlinks: boolean;
      readonly ignorePaths: readonly string[];
      readonly shardSize: number;
    };

export interface Resource {
  /** POSIX relative path; `.` for a single-file model; `path:start:end` for a shard */
  readonly name: string;
  /** `sha256`, or `sha256-sharded-1000000000` etc. */
  readonly algorithm: string;
  /** lowercase hex */
  readonly digest: string;
}

export interface Manifest {
  /** informational: basename of the model path */
  readonly modelName: string;
  readonly serialization: Serialization;
  /** in canonical OMS order (see compareResourceNames) */
  readonly resources: readonly Resource[];
}

export interface HashOptions {
  readonly serialization: Serialization;
  /** extra paths (relative to the model root) to skip on top of serialization.ignorePaths, e.g. the bundle */
  readonly extraIgnore?: readonly string[];
  /** default true: skip .git, .gitattributes, .github, .gitignore at the root */
  readonly ignoreGitPaths?: boolean;
  /** workers; default min(2, cpus) */
  readonly concurrency?: number;
  readonly onProgress?: (done: number, total: number) => void;
  readonly signal?: AbortSignal;
}

/** What differs between a signed manifest and the bytes on disk. */
export interface ManifestDiff {
  readonly changed: readonly string[];
  readonly missing: readonly string[];
  readonly extra: readonly string[];
  /** serialization parameters that differ (method, hash type, shard size) */
  readonly parameters: readonly string[];
}
