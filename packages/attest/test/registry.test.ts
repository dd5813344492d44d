import { sha256Hex } from '@modelseal/core';
import { createManifest } from '@modelseal/manifest';
import { describe, expect, it } from 'vitest';
import { codeOf } from '../../../test/codes.ts';
import {
  DATASET_PROVENANCE_V1,
  OMS_PREDICATE_TYPE,
  omsStatement,
  PREDICATE_TYPES,
  PREDICATES,
  predicateFor,
  SLSA_PROVENANCE_V1,
} from '../src/index.ts';

describe('the predicate registry', () => {
  it('has one entry per short name, each with its own URI', () => {
    expect(Object.keys(PREDICATES).sort()).toEqual(Object.keys(PREDICATE_TYPES).sort());
    for (const [name, entry] of Object.entries(PREDICATES)) {
      expect(entry.kind).toBe(name);
      expect(entry.predicateType).toBe(PREDICATE_TYPES[name as keyof typeof PREDICATE_TYPES]);
    }
  });

  it('selects an entry by short name or by its URI; other URIs are custom', () => {
    expect(predicateFor('slsa').predicateType).toBe(SLSA_PROVENANCE_V1);
    expect(predicateFor(SLSA_PROVENANCE_V1).kind).toBe('slsa');
    expect(predicateFor('dataset').predicateType).toBe(DATASET_PROVENANCE_V1);
    expect(predicateFor(OMS_PREDICATE_TYPE).kind).toBe('oms');
    const custom = predicateFor('https://example.com/scan/v1');
    expect(custom).toMatchObject({ kind: 'custom', predicateType: 'https://example.com/scan/v1' });
    expect(codeOf(() => predicateFor('not a type'))).toBe('BAD_PREDICATE_TYPE');
  });

  it('builds SLSA provenance from build facts and datasets from a spec', () => {
    const slsa = PREDICATES.slsa;
    if (slsa.kind !== 'slsa') throw new Error('slsa entry');
    const p = slsa.build({ builderId: 'https://ci.example.com/train' });
    expect(p).toMatchObject({ runDetails: { builder: { id: 'https://ci.example.com/train' } } });
    const dataset = PREDICATES.dataset;
    if (dataset.kind !== 'dataset') throw new Error('dataset entry');
    expect(codeOf(() => dataset.build({ nonsense: true }))).toBe('DATASET_PROVENANCE_INVALID');
  });

  it('validates hand-written predicates of known types, custom ones pass as they are', () => {
    const subject = { name: 'm', digest: { sha256: 'a'.repeat(64) } };
    expect(codeOf(() => PREDICATES.slsa.validate({ buildDefinition: 5 }, subject))).toBe('SLSA_INVALID');
    expect(codeOf(() => PREDICATES.dataset.validate({}, subject))).toBe('DATASET_PROVENANCE_INVALID');
    const scan = { verdict: 'clean' };
    expect(predicateFor('https://example.com/scan/v1').validate(scan, subject)).toBe(scan);
  });

  it('cyclonedx: a BOM is accepted as a predicate, anything else is CYCLONEDX_INVALID', () => {
    const entry = predicateFor('https://cyclonedx.org/bom');
    expect(entry.kind).toBe('cyclonedx');
    const subject = { name: 'm', digest: { sha256: 'a'.repeat(64) } };
    const bom = { bomFormat: 'CycloneDX', specVersion: '1.6', version: 1, components: [] };
    expect(entry.validate(bom, subject)).toEqual(bom);
    expect(codeOf(() => entry.validate({ ...bom, bomFormat: 'SPDX' }, subject))).toBe('CYCLONEDX_INVALID');
    expect(codeOf(() => entry.validate({ ...bom, specVersion: '2.0' }, subject))).toBe('CYCLONEDX_INVALID');
    expect(codeOf(() => entry.validate({ ...bom, components: {} }, subject))).toBe('CYCLONEDX_INVALID');
  });

  it('checks an OMS predicate against its subject: the resources must re-derive the digest', () => {
    const stmt = omsStatement(
      createManifest({
        modelName: 'm',
        serialization: { method: 'files', hashType: 'sha256', allowSymlinks: false, ignorePaths: [] },
        resources: [{ name: 'a.bin', algorithm: 'sha256', digest: sha256Hex('a') }],
      }),
    );
    const subject = stmt.subject[0]!;
    expect(PREDICATES.oms.validate(stmt.predicate, subject)).toBe(stmt.predicate);
    const other = { name: 'm', digest: { sha256: 'b'.repeat(64) } };
    expect(codeOf(() => PREDICATES.oms.validate(stmt.predicate, other))).toBe('SUBJECT_DIGEST_MISMATCH');
  });
});
