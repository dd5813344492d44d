import { readFileSync } from 'node:fs';
import { bytesReader, scanFile, scanStatement, WEIGHTS_ONLY_PROFILE } from '@modelseal/scan';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { codeOf } from '../../../test/codes.ts';
import { PREDICATES, parseScanResultPredicate, predicateFor, SCAN_RESULT_V1 } from '../src/index.ts';

// the schema ships with the scanner; the validator here must agree with it
const schema = JSON.parse(
  readFileSync(new URL('../../scan/schemas/scan-result-v1.schema.json', import.meta.url), 'utf8'),
);
const schemaValid = new Ajv2020({ allErrors: true, strict: false }).compile(schema);
const H = 'cd'.repeat(32);
const enc = new TextEncoder();

/** A predicate as the scanner writes it: a safe JSON file and a pickle that calls os.system. */
function scanned(): Record<string, unknown> {
  const json = scanFile('config.json', bytesReader(enc.encode('{"a":1}')), { sha256: H });
  // GLOBAL os system, SHORT_BINUNICODE "id", TUPLE1, REDUCE, STOP: read, never loaded
  const pickle = new Uint8Array([
    0x80,
    2,
    ...enc.encode('cos\nsystem\n'),
    0x8c,
    2,
    ...enc.encode('id'),
    0x85,
    0x52,
    0x2e,
  ]);
  const bad = scanFile('evil.pkl', bytesReader(pickle), { sha256: H });
  return {
    ...scanStatement({
      subject: [{ name: 'm', digest: { sha256: H } }],
      profile: WEIGHTS_ONLY_PROFILE,
      files: [json, bad],
      scannedAt: '2026-01-02T03:04:05Z',
    }).predicate,
  };
}

// biome-ignore lint/suspicious/noExplicitAny: tests poke at arbitrary JSON
type P = Record<string, any>;
const m = (f: (p: P) => void) => {
  const p = structuredClone(scanned()) as P;
  f(p);
  return p;
};

const bad: [string, unknown][] = [
  ['not an object', []],
  ['no scanner', m((p) => delete p.scanner)],
  ['scanner without version', m((p) => delete p.scanner.version)],
  ['profile version 0', m((p) => (p.profile.version = 0))],
  ['profile version fractional', m((p) => (p.profile.version = 1.5))],
  ['short profile digest', m((p) => (p.profile.digest = { sha256: 'abcd' }))],
  ['uppercase file digest', m((p) => (p.files[0].digest = { sha256: H.toUpperCase() }))],
  ['a second digest algorithm', m((p) => (p.files[0].digest = { sha256: H, md5: 'ab'.repeat(16) }))],
  ['local time', m((p) => (p.scannedAt = '2026-01-02T03:04:05+01:00'))],
  ['unknown verdict', m((p) => (p.verdict = 'clean'))],
  ['no files', m((p) => (p.files = []))],
  ['negative size', m((p) => (p.files[0].size = -1))],
  ['file verdict missing', m((p) => delete p.files[0].verdict)],
  ['findings not a list', m((p) => (p.files[1].findings = {}))],
  ['finding code lower-case', m((p) => (p.files[1].findings[0].code = 'bad'))],
  ['finding message missing', m((p) => delete p.files[1].findings[0].message)],
  ['unknown top-level field', m((p) => (p.extra = 1))],
  ['unknown file field', m((p) => (p.files[0].note = 'x'))],
  ['unknown finding field', m((p) => (p.files[1].findings[0].offset = 3))],
];

describe('the scan predicate (https://modelseal.dev/scan-result/v1) in the attest registry', () => {
  it('is the scan entry, chosen by short name or URI', () => {
    expect(predicateFor('scan')).toBe(PREDICATES.scan);
    expect(predicateFor(SCAN_RESULT_V1).kind).toBe('scan');
    expect(SCAN_RESULT_V1).toBe('https://modelseal.dev/scan-result/v1');
  });

  it("accepts what the scanner writes, which the scanner's schema accepts too", () => {
    const p = scanned();
    expect(p['verdict']).toBe('fail');
    expect(schemaValid(p), JSON.stringify(schemaValid.errors)).toBe(true);
    const subject = { name: 'm', digest: { sha256: H } };
    expect(PREDICATES.scan.validate(p, subject)).toEqual(p);
  });

  it.each(bad)('refuses %s, as the schema does (SCAN_PREDICATE_INVALID)', (_, p) => {
    expect(schemaValid(p)).toBe(false);
    expect(codeOf(() => parseScanResultPredicate(p))).toBe('SCAN_PREDICATE_INVALID');
  });

  it('refuses an overall verdict the files contradict, which the schema cannot see', () => {
    const claimsPass = m((p) => (p.verdict = 'pass'));
    expect(schemaValid(claimsPass)).toBe(true);
    expect(codeOf(() => parseScanResultPredicate(claimsPass))).toBe('SCAN_PREDICATE_INVALID');
    const claimsFail = m((p) => {
      p.files = [p.files[0]];
    });
    expect(claimsFail.verdict).toBe('fail');
    expect(codeOf(() => parseScanResultPredicate(claimsFail))).toBe('SCAN_PREDICATE_INVALID');
    expect(codeOf(() => parseScanResultPredicate({ ...claimsFail, verdict: 'pass' }))).toBe('none');
  });
});
