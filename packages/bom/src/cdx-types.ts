/** The part of CycloneDX 1.6 JSON this package writes (https://cyclonedx.org/docs/1.6/json/). */
export const CYCLONEDX_SPEC_VERSION = '1.6';
/** in-toto predicate type for a CycloneDX BOM (in-toto/attestation spec/predicates/cyclonedx.md) */
export const CYCLONEDX_PREDICATE_TYPE = 'https://cyclonedx.org/bom';

export interface CdxProperty {
  readonly name: string;
  readonly value: string;
}

export type CdxHashAlg = 'SHA-256' | 'BLAKE2b-512' | 'BLAKE3';

export interface CdxHash {
  readonly alg: CdxHashAlg;
  readonly content: string;
}

export interface CdxExternalReference {
  readonly type: 'attestation' | 'vcs' | 'distribution' | 'model-card';
  readonly url: string;
  readonly comment?: string;
  readonly hashes?: readonly CdxHash[];
}

export interface CdxComponentData {
  readonly type: 'dataset' | 'source-code' | 'other';
  readonly name: string;
}

export interface CdxModelCard {
  readonly modelParameters?: {
    readonly task?: string;
    readonly architectureFamily?: string;
    readonly modelArchitecture?: string;
    readonly datasets?: readonly { readonly ref: string }[];
  };
  readonly properties?: readonly CdxProperty[];
}

export interface CdxComponent {
  readonly type: 'machine-learning-model' | 'file' | 'data' | 'application';
  readonly 'bom-ref': string;
  readonly name: string;
  readonly version?: string;
  readonly description?: string;
  readonly purl?: string;
  readonly hashes?: readonly CdxHash[];
  readonly licenses?: readonly { readonly license: { readonly name: string } }[];
  readonly tags?: readonly string[];
  readonly modelCard?: CdxModelCard;
  readonly data?: readonly CdxComponentData[];
  readonly pedigree?: { readonly ancestors: readonly CdxComponent[] };
  readonly externalReferences?: readonly CdxExternalReference[];
  readonly components?: readonly CdxComponent[];
  readonly properties?: readonly CdxProperty[];
}

export interface CdxDependency {
  readonly ref: string;
  readonly dependsOn: readonly string[];
}

export interface CycloneDxBom {
  readonly $schema: 'http://cyclonedx.org/schema/bom-1.6.schema.json';
  readonly bomFormat: 'CycloneDX';
  readonly specVersion: typeof CYCLONEDX_SPEC_VERSION;
  readonly serialNumber: string;
  readonly version: 1;
  readonly metadata: {
    readonly timestamp: string;
    readonly tools: {
      readonly components: readonly {
        readonly type: 'application';
        readonly name: string;
        readonly version: string;
      }[];
    };
    readonly component?: CdxComponent;
    readonly properties?: readonly CdxProperty[];
  };
  readonly components: readonly CdxComponent[];
  readonly dependencies: readonly CdxDependency[];
}
