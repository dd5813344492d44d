/**
 * What a BOM is built from: values only. The edge (CLI, webhook) reads files, verifies bundles and
 * parses predicates; this package turns the results into documents.
 */
import type { Resource } from '@modelseal/manifest';
import type { SignerInfo } from '@modelseal/verify';

/** A file's format as its first bytes say (never by extension alone). */
export type FileFormat =
  | 'safetensors'
  | 'gguf'
  | 'pickle'
  | 'pytorch-zip'
  | 'zip'
  | 'numpy'
  | 'hdf5'
  | 'json'
  | 'text'
  | 'empty'
  | 'unknown';

/** One verified attestation about the model: who signed what. */
export interface BomAttestation {
  readonly predicateType: string;
  readonly signer: SignerInfo;
  /** the policy authority it verified against */
  readonly authority: string;
  /** hex SHA-256 of the bundle bytes */
  readonly bundleDigest: string;
  /** where the bundle was found, as a URL (file:///…) */
  readonly location?: string;
}

export type DependencyRole = 'dataset' | 'base-model' | 'source' | 'other';

/** A resolvedDependency of verified SLSA provenance, as the BOM shows it. */
export interface BomDependency {
  readonly role: DependencyRole;
  readonly name: string;
  readonly uri?: string;
  /** OMS subject digest of a dataset or model directory, hex */
  readonly sha256?: string;
  /** git or Hugging Face hub commit the dependency is pinned to */
  readonly commit?: string;
  /** the statement that named it: the builder of the SLSA provenance */
  readonly builder: string;
}

/** Verified build facts of one SLSA provenance statement. */
export interface BomBuild {
  readonly builderId: string;
  readonly buildType: string;
  readonly invocationId?: string;
  readonly startedOn?: string;
  readonly finishedOn?: string;
  readonly dependencies: readonly BomDependency[];
}

/**
 * A scanner's verdict on the model or one of its files, whatever scanner produced it; a scan
 * attestation's predicate is mapped into this (see scanVerdictsFrom).
 */
export interface ScanVerdict {
  readonly scanner: string;
  readonly scannerVersion?: string;
  /** file name as in the OMS manifest; absent: the whole model */
  readonly file?: string;
  readonly verdict: 'pass' | 'fail';
  /** the scanner's own format name, when it identified the file */
  readonly format?: string;
  readonly findings: readonly { readonly code: string; readonly message: string }[];
  /** whether the verdict comes from a verified attestation (else: an unsigned local scan) */
  readonly attested: boolean;
}

/** Model-card fields, from config.json and README front matter: claims of the publisher, unverified. */
export interface ModelCardFields {
  readonly architecture?: string;
  readonly architectureFamily?: string;
  readonly task?: string;
  readonly license?: string;
  readonly libraryName?: string;
  readonly languages: readonly string[];
  readonly tags: readonly string[];
  /** datasets the README names (not verified: verified ones come from provenance) */
  readonly datasets: readonly string[];
  readonly baseModels: readonly string[];
}

export interface PolicyVerdict {
  readonly policy: string;
  readonly allowed: boolean;
  readonly reasons: readonly { readonly code: string; readonly message: string }[];
}

export interface ModelBomInput {
  readonly model: {
    readonly name: string;
    /** OMS subject digest, hex */
    readonly subjectDigest: string;
    /** the per-file digests, as signed (or as hashed when unsigned) */
    readonly resources: readonly Resource[];
    /** where the resources come from: a verified signature, or a local hash only */
    readonly resourcesFrom: 'signature' | 'hash';
  };
  readonly attestations: readonly BomAttestation[];
  readonly builds: readonly BomBuild[];
  /** by resource file name */
  readonly formats: ReadonlyMap<string, FileFormat>;
  readonly scans: readonly ScanVerdict[];
  readonly card?: ModelCardFields;
  readonly policy?: PolicyVerdict;
  readonly tool: { readonly name: string; readonly version: string };
  /** RFC 3339; given so that the builder stays pure */
  readonly timestamp: string;
  /** urn:uuid:…; given so that the builder stays pure */
  readonly serialNumber: string;
}
