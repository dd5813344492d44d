import { InputError, isRecord } from '@modelseal/core';
import type { ScanVerdict } from './types.ts';

/** modelseal's own scan predicate (packages/scan), and in-toto's Simple Verification Result. */
export const SCAN_RESULT_V1 = 'https://modelseal.dev/scan-result/v1';
export const SVR_PREDICATE_TYPES: readonly string[] = Object.freeze([
  'https://in-toto.io/attestation/svr/v0.1',
  'https://in-toto.io/attestation/svr/v0.2',
]);

const MAX_FINDINGS = 100;

/** Whether scanVerdictsFrom reads this predicate type. */
export function isScanPredicate(predicateType: string): boolean {
  return predicateType === SCAN_RESULT_V1 || SVR_PREDICATE_TYPES.includes(predicateType);
}

/**
 * A scan attestation's predicate as ScanVerdicts: one for the model, one per file the scanner
 * reported. Throws SCAN_PREDICATE_INVALID when a known type is malformed; other types give [].
 */
export function scanVerdictsFrom(
  predicateType: string,
  predicate: unknown,
  attested: boolean,
): ScanVerdict[] {
  if (predicateType === SCAN_RESULT_V1) return fromScanResult(predicate, attested);
  if (SVR_PREDICATE_TYPES.includes(predicateType)) return fromSvr(predicate, attested);
  return [];
}

function fromScanResult(p: unknown, attested: boolean): ScanVerdict[] {
  if (!isRecord(p) || !isRecord(p['scanner']) || typeof p['scanner']['name'] !== 'string')
    return invalid('scanner.name is missing');
  const scanner = p['scanner']['name'];
  const version = typeof p['scanner']['version'] === 'string' ? p['scanner']['version'] : undefined;
  const base = { scanner, ...(version ? { scannerVersion: version } : {}), attested };
  const files = Array.isArray(p['files']) ? p['files'] : invalid('files must be a list');
  const out: ScanVerdict[] = [{ ...base, verdict: verdictOf(p['verdict'], 'verdict'), findings: [] }];
  files.forEach((f, i) => {
    if (!isRecord(f) || typeof f['path'] !== 'string') invalid(`files[${i}].path is missing`);
    out.push({
      ...base,
      file: f['path'],
      verdict: verdictOf(f['verdict'], `files[${i}].verdict`),
      ...(typeof f['format'] === 'string' ? { format: f['format'] } : {}),
      findings: findingsOf(f['findings']),
    });
  });
  return out;
}

/** An SVR lists the properties that passed: a verdict on the whole model, never a failure. */
function fromSvr(p: unknown, attested: boolean): ScanVerdict[] {
  if (!isRecord(p) || !isRecord(p['verifier']) || typeof p['verifier']['id'] !== 'string')
    return invalid('verifier.id is missing');
  const properties = Array.isArray(p['properties']) ? p['properties'] : [];
  return [
    {
      scanner: p['verifier']['id'],
      attested,
      verdict: 'pass',
      findings: properties
        .filter((x): x is string => typeof x === 'string')
        .slice(0, MAX_FINDINGS)
        .map((x) => ({ code: x, message: 'verified property' })),
    },
  ];
}

function verdictOf(v: unknown, path: string): 'pass' | 'fail' {
  if (v === 'pass' || v === 'fail') return v;
  return invalid(`${path} must be "pass" or "fail"`);
}

function findingsOf(v: unknown): ScanVerdict['findings'] {
  if (!Array.isArray(v)) return [];
  return v
    .filter(isRecord)
    .slice(0, MAX_FINDINGS)
    .map((f) => ({
      code: String(f['code'] ?? 'UNKNOWN'),
      message: String(f['message'] ?? '').slice(0, 512),
    }));
}

function invalid(message: string): never {
  throw new InputError({ code: 'SCAN_PREDICATE_INVALID', message: `scan predicate: ${message}` });
}
