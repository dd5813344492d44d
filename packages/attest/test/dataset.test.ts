import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parseDatasetProvenance } from '../src/index.ts';

const schema = JSON.parse(
  readFileSync(new URL('../schemas/dataset-provenance-v1.schema.json', import.meta.url), 'utf8'),
);
const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);
const H = 'ab'.repeat(32);

const good = () => ({
  dataset: { name: 'imdb-reviews', version: '2026-01' },
  sources: [
    {
      uri: 'https://example.org/aclImdb.tar.gz',
      digest: { sha256: H },
      retrievedAt: '2026-01-02T03:04:05Z',
      license: 'CC-BY-4.0',
    },
  ],
  derivedFrom: [
    { uri: `hf://datasets/stanfordnlp/imdb@${'c'.repeat(40)}`, digest: { gitCommit: 'c'.repeat(40) } },
  ],
  transformations: [
    { tool: 'dedupe@1.2.0', configDigest: { sha256: H }, inputs: [{ sha256: H }], outputs: [{ sha256: H }] },
  ],
  splits: [
    { name: 'train', records: 25000, digest: { sha256: H } },
    { name: 'test', records: 25000, digest: { sha256: H } },
  ],
  sensitivity: { pii: 'no' },
});

// biome-ignore lint/suspicious/noExplicitAny: tests poke at arbitrary JSON
type P = Record<string, any>;
const m = (f: (p: P) => void) => {
  const p = good() as P;
  f(p);
  return p;
};

const bad: [string, unknown][] = [
  ['not an object', []],
  ['no dataset', m((p) => delete p.dataset)],
  ['no version', m((p) => delete p.dataset.version)],
  [
    'no origin',
    m((p) => {
      delete p.sources;
      delete p.derivedFrom;
    }),
  ],
  ['source without license', m((p) => delete p.sources[0].license)],
  ['source without retrievedAt', m((p) => delete p.sources[0].retrievedAt)],
  ['bad timestamp', m((p) => (p.sources[0].retrievedAt = 'last week'))],
  ['short sha256', m((p) => (p.sources[0].digest = { sha256: 'abcd1234' }))],
  ['uppercase hex', m((p) => (p.splits[0].digest = { sha256: H.toUpperCase() }))],
  ['empty digest', m((p) => (p.sources[0].digest = {}))],
  ['tool without version', m((p) => (p.transformations[0].tool = 'dedupe'))],
  ['no outputs', m((p) => (p.transformations[0].outputs = []))],
  ['negative records', m((p) => (p.splits[0].records = -1))],
  ['fractional records', m((p) => (p.splits[0].records = 1.5))],
  ['records as string', m((p) => (p.splits[0].records = '10'))],
  ['pii boolean', m((p) => (p.sensitivity.pii = false))],
  ['no sensitivity', m((p) => delete p.sensitivity)],
  ['unknown top-level field', m((p) => (p.extra = 1))],
  ['derivedFrom without digest', m((p) => (p.derivedFrom = [{ uri: 'x' }]))],
  ['too many splits', m((p) => (p.splits = Array(1001).fill(p.splits[0])))],
];

describe('dataset provenance v1', () => {
  it('accepts the documented example (schema and code agree)', () => {
    expect(validate(good())).toBe(true);
    expect(parseDatasetProvenance(good())).toEqual(good());
    const onlyDerived = m((p) => delete p.sources);
    expect(validate(onlyDerived)).toBe(true);
    expect(() => parseDatasetProvenance(onlyDerived)).not.toThrow();
  });

  it.each(bad)('rejects %s in both the JSON Schema and the code validator', (_w, doc) => {
    expect(validate(doc)).toBe(false);
    expect(() => parseDatasetProvenance(doc)).toThrowError(
      expect.objectContaining({ code: 'DATASET_PROVENANCE_INVALID' }),
    );
  });
});
