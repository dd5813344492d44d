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

/** What a manifest is made of; its subject digest follows from `resources` (see createManifest). */
export interface ManifestFields {
  /** informational: basename of the model path */
  readonly modelName: string;
  readonly serialization: Serialization;
  /** in canonical OMS order (see compareResourceNames) */
  readonly resources: readonly Resource[];
}

export interface Manifest extends ManifestFields {
  /**
   * The in-toto subject digest (lowercase hex SHA-256 over the raw resource digests in listed
   * order), set where the manifest is built: by hashing, or from a checked OMS predicate.
   */
  readonly subjectDigest: string;
}

/** What differs between a signed manifest and the bytes on disk. */
export interface ManifestDiff {
  readonly changed: readonly string[];
  readonly missing: readonly string[];
  readonly extra: readonly string[];
  /** serialization parameters that differ (method, hash type, shard size) */
  readonly parameters: readonly string[];
}

/** Ignored at a model's root unless the signer opts out (model_signing's defaults). */
export const GIT_PATHS: readonly string[] = Object.freeze([
  '.git',
  '.gitattributes',
  '.github',
  '.gitignore',
]);
