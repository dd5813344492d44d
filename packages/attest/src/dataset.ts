import { PREDICATE_TYPES } from './predicate.ts';
import { Checker } from './predicate-checks.ts';
import type { ResourceDescriptor } from './statement.ts';

export const DATASET_PROVENANCE_V1 = PREDICATE_TYPES.dataset;
const MAX_ITEMS = 10_000;

type DigestSet = Readonly<Record<string, string>>;

/** modelseal dataset provenance v1; schema: packages/attest/schemas/dataset-provenance-v1.schema.json */
export interface DatasetProvenance {
  readonly dataset: { readonly name: string; readonly version: string; readonly description?: string };
  readonly sources?: readonly {
    readonly uri: string;
    readonly digest: DigestSet;
    readonly retrievedAt: string;
    readonly license: string;
  }[];
  readonly derivedFrom?: readonly ResourceDescriptor[];
  readonly transformations?: readonly {
    /** `name@version` */
    readonly tool: string;
    readonly configDigest?: DigestSet;
    readonly inputs: readonly DigestSet[];
    readonly outputs: readonly DigestSet[];
  }[];
  readonly splits?: readonly {
    readonly name: string;
    readonly records: number;
    readonly digest: DigestSet;
  }[];
  readonly sensitivity: { readonly pii: 'yes' | 'no' | 'unknown'; readonly notes?: string };
}

const TOP = ['dataset', 'sources', 'derivedFrom', 'transformations', 'splits', 'sensitivity'];

/** The schema's rules in code (no runtime schema library); a test checks both agree. */
export function parseDatasetProvenance(value: unknown): DatasetProvenance {
  checkDatasetProvenance(value);
  return value;
}

function checkDatasetProvenance(value: unknown): asserts value is DatasetProvenance {
  const c = new Checker('dataset provenance', 'DATASET_PROVENANCE_INVALID');
  const p = c.object(value, 'predicate');
  only(c, p, TOP, 'predicate');
  const ds = c.object(p['dataset'], 'dataset');
  only(c, ds, ['name', 'version', 'description'], 'dataset');
  c.string(ds['name'], 'dataset.name', 256);
  c.string(ds['version'], 'dataset.version', 128);
  c.optionalString(ds['description'], 'dataset.description');

  if (p['sources'] === undefined && p['derivedFrom'] === undefined)
    c.fail('predicate', 'needs sources or derivedFrom: where did the data come from?');
  if (p['sources'] !== undefined) {
    c.array(p['sources'], 'sources', MAX_ITEMS).forEach((s, i) => {
      const at = `sources[${i}]`;
      const o = c.object(s, at);
      only(c, o, ['uri', 'digest', 'retrievedAt', 'license'], at);
      c.string(o['uri'], `${at}.uri`);
      c.digestSet(o['digest'], `${at}.digest`, true);
      if (o['retrievedAt'] === undefined) c.fail(`${at}.retrievedAt`, 'is required');
      c.timestamp(o['retrievedAt'], `${at}.retrievedAt`);
      c.string(o['license'], `${at}.license`, 256);
    });
  }
  if (p['derivedFrom'] !== undefined) {
    c.array(p['derivedFrom'], 'derivedFrom', MAX_ITEMS).forEach((d, i) => {
      const r = c.resource(d, `derivedFrom[${i}]`);
      if (r.digest === undefined)
        c.fail(`derivedFrom[${i}].digest`, 'is required: a parent dataset is named by its digest');
    });
  }
  if (p['transformations'] !== undefined) {
    c.array(p['transformations'], 'transformations', MAX_ITEMS).forEach((t, i) => {
      const at = `transformations[${i}]`;
      const o = c.object(t, at);
      only(c, o, ['tool', 'configDigest', 'inputs', 'outputs'], at);
      const tool = c.string(o['tool'], `${at}.tool`, 256);
      if (!/^[^@\s]+@[^@\s]+$/.test(tool)) c.fail(`${at}.tool`, 'must be name@version, e.g. dedupe@1.2.0');
      c.digestSet(o['configDigest'], `${at}.configDigest`, false);
      for (const side of ['inputs', 'outputs'] as const) {
        const list = c.array(o[side], `${at}.${side}`, MAX_ITEMS);
        if (list.length === 0) c.fail(`${at}.${side}`, 'must list at least one digest');
        list.forEach((d, j) => {
          c.digestSet(d, `${at}.${side}[${j}]`, true);
        });
      }
    });
  }
  if (p['splits'] !== undefined) {
    c.array(p['splits'], 'splits', 1000).forEach((s, i) => {
      const at = `splits[${i}]`;
      const o = c.object(s, at);
      only(c, o, ['name', 'records', 'digest'], at);
      c.string(o['name'], `${at}.name`, 128);
      const n = o['records'];
      if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0)
        c.fail(`${at}.records`, 'must be a whole number >= 0');
      c.digestSet(o['digest'], `${at}.digest`, true);
    });
  }
  const sens = c.object(p['sensitivity'], 'sensitivity');
  only(c, sens, ['pii', 'notes'], 'sensitivity');
  if (!['yes', 'no', 'unknown'].includes(sens['pii'] as string))
    c.fail('sensitivity.pii', 'must be "yes", "no" or "unknown" (quote them in YAML)');
  c.optionalString(sens['notes'], 'sensitivity.notes');
}

function only(c: Checker, o: Record<string, unknown>, keys: readonly string[], at: string): void {
  for (const k of Object.keys(o))
    if (!keys.includes(k)) c.fail(`${at}.${k}`, `is not a field here (known: ${keys.join(', ')})`);
}
