import { CYCLONEDX_BOM, parseCycloneDxPredicate } from './cyclonedx.ts';
import { DATASET_PROVENANCE_V1, parseDatasetProvenance } from './dataset.ts';
import { manifestFromOmsStatement, OMS_PREDICATE_TYPE } from './oms.ts';
import { type PREDICATE_TYPES, resolvePredicateType } from './predicate.ts';
import { parseScanResultPredicate, SCAN_RESULT_V1 } from './scan-result.ts';
import { buildSlsaProvenance, parseSlsaProvenance, SLSA_PROVENANCE_V1, type SlsaInput } from './slsa.ts';
import { buildStatement, type ResourceDescriptor } from './statement.ts';

export type Predicate = Readonly<Record<string, unknown>>;

interface Known<K extends string> {
  readonly kind: K;
  /** the short name `--type` accepts */
  readonly name: K;
  readonly predicateType: string;
  /** checks a predicate the user wrote by hand (`--predicate FILE`); throws a coded InputError */
  validate(predicate: Predicate, subject: ResourceDescriptor): Predicate;
}

/**
 * What `attest --type` can make, and from what. `oms` is built from a hashed manifest (the model
 * signature itself, see omsStatement); `slsa` from resolved build facts; `dataset` from a spec
 * document; `cyclonedx` (a BOM `modelseal bom` writes), `scan` (a verdict `modelseal scan`
 * writes) and `custom` (any other URI) only from a predicate file or a value the caller built.
 */
export type PredicateEntry =
  | Known<'oms'>
  | (Known<'slsa'> & { build(input: SlsaInput): Predicate })
  | (Known<'dataset'> & { build(spec: unknown): Predicate })
  | Known<'cyclonedx'>
  | Known<'scan'>
  | {
      readonly kind: 'custom';
      readonly predicateType: string;
      validate(predicate: Predicate, subject: ResourceDescriptor): Predicate;
    };

type KnownEntry = Exclude<PredicateEntry, { kind: 'custom' }>;

const oms: KnownEntry = Object.freeze({
  kind: 'oms',
  name: 'oms',
  predicateType: OMS_PREDICATE_TYPE,
  // the resources must re-derive the subject digest, exactly as verify checks a signed model
  validate(predicate: Predicate, subject: ResourceDescriptor) {
    manifestFromOmsStatement(buildStatement([subject], OMS_PREDICATE_TYPE, predicate));
    return predicate;
  },
});

const slsa: KnownEntry = Object.freeze({
  kind: 'slsa',
  name: 'slsa',
  predicateType: SLSA_PROVENANCE_V1,
  validate(predicate: Predicate) {
    parseSlsaProvenance(predicate);
    return predicate;
  },
  build: (input: SlsaInput): Predicate => ({ ...buildSlsaProvenance(input) }),
});

const dataset: KnownEntry = Object.freeze({
  kind: 'dataset',
  name: 'dataset',
  predicateType: DATASET_PROVENANCE_V1,
  validate(predicate: Predicate) {
    parseDatasetProvenance(predicate);
    return predicate;
  },
  build: (spec: unknown): Predicate => ({ ...parseDatasetProvenance(spec) }),
});

const cyclonedx: KnownEntry = Object.freeze({
  kind: 'cyclonedx',
  name: 'cyclonedx',
  predicateType: CYCLONEDX_BOM,
  validate: (predicate: Predicate) => parseCycloneDxPredicate(predicate),
});

const scan: KnownEntry = Object.freeze({
  kind: 'scan',
  name: 'scan',
  predicateType: SCAN_RESULT_V1,
  validate: (predicate: Predicate) => parseScanResultPredicate(predicate),
});

/** The predicates modelseal knows, keyed by the short name `--type` takes. */
export const PREDICATES: Readonly<Record<keyof typeof PREDICATE_TYPES, KnownEntry>> = Object.freeze({
  oms,
  slsa,
  dataset,
  cyclonedx,
  scan,
});

/**
 * `--type` value -> its entry: a short name, or a URI (the URI of a known type selects that
 * entry, so `--type https://slsa.dev/provenance/v1` behaves like `--type slsa`). Anything else
 * that is a URI is a custom predicate; the rest is BAD_PREDICATE_TYPE.
 */
export function predicateFor(nameOrUri: string): PredicateEntry {
  const uri = resolvePredicateType(nameOrUri);
  const known = Object.values(PREDICATES).find((e) => e.predicateType === uri);
  if (known) return known;
  return Object.freeze({ kind: 'custom', predicateType: uri, validate: (p: Predicate) => p });
}
