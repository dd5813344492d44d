import { PREDICATE_TYPES } from './predicate.ts';
import { Checker } from './predicate-checks.ts';

/**
 * modelseal's scan result (`modelseal scan`, packages/scan). Its JSON Schema lives with the scanner
 * (packages/scan/schemas/scan-result-v1.schema.json); this is the same shape in code, so signing
 * a scan does not load the scanner, and a test holds the two to each other.
 */
export const SCAN_RESULT_V1 = PREDICATE_TYPES.scan;
const MAX_FILES = 1_000_000;
const MAX_FINDINGS = 1000;
const UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const CODE = /^[A-Z][A-Z0-9_]*$/;

export function parseScanResultPredicate(value: unknown): Readonly<Record<string, unknown>> {
  const c = new Checker('scan result', 'SCAN_PREDICATE_INVALID');
  const p = c.object(value, 'predicate');
  only(c, p, ['scanner', 'profile', 'scannedAt', 'verdict', 'files'], 'predicate');
  const scanner = c.object(p['scanner'], 'scanner');
  only(c, scanner, ['name', 'version'], 'scanner');
  c.string(scanner['name'], 'scanner.name', 128);
  c.string(scanner['version'], 'scanner.version', 64);
  const profile = c.object(p['profile'], 'profile');
  only(c, profile, ['name', 'version', 'digest'], 'profile');
  c.string(profile['name'], 'profile.name', 128);
  wholeNumber(c, profile['version'], 'profile.version', 1);
  sha256(c, profile['digest'], 'profile.digest');
  if (!UTC.test(c.string(p['scannedAt'], 'scannedAt', 64)))
    c.fail('scannedAt', 'must be an RFC 3339 UTC time like 2026-01-31T12:00:00Z');
  const verdict = verdictOf(c, p['verdict'], 'verdict');
  const files = c.array(p['files'], 'files', MAX_FILES);
  if (files.length === 0) c.fail('files', 'must list at least one file');
  let allPass = true;
  files.forEach((f, i) => {
    const at = `files[${i}]`;
    const o = c.object(f, at);
    only(c, o, ['path', 'digest', 'size', 'format', 'verdict', 'findings'], at);
    c.string(o['path'], `${at}.path`, 4096);
    sha256(c, o['digest'], `${at}.digest`);
    wholeNumber(c, o['size'], `${at}.size`, 0);
    c.string(o['format'], `${at}.format`, 64);
    if (verdictOf(c, o['verdict'], `${at}.verdict`) === 'fail') allPass = false;
    c.array(o['findings'], `${at}.findings`, MAX_FINDINGS).forEach((x, j) => {
      const fat = `${at}.findings[${j}]`;
      const finding = c.object(x, fat);
      only(c, finding, ['code', 'message', 'global', 'member'], fat);
      if (!CODE.test(c.string(finding['code'], `${fat}.code`, 128)))
        c.fail(`${fat}.code`, 'must be an upper-case code such as GLOBAL_NOT_ALLOWED');
      text(c, finding['message'], `${fat}.message`, 4096);
      if (finding['global'] !== undefined) text(c, finding['global'], `${fat}.global`, 8192);
      if (finding['member'] !== undefined) text(c, finding['member'], `${fat}.member`, 8192);
    });
  });
  // the schema cannot say it: a policy reads `verdict`, so it must be what the files say
  if ((verdict === 'pass') !== allPass)
    c.fail('verdict', `is "${verdict}", but ${allPass ? 'every file passed' : 'a file failed'}`);
  return p;
}

function only(c: Checker, o: Record<string, unknown>, keys: readonly string[], at: string): void {
  for (const k of Object.keys(o))
    if (!keys.includes(k)) c.fail(`${at}.${k}`, `is not a field here (known: ${keys.join(', ')})`);
}

function verdictOf(c: Checker, v: unknown, at: string): 'pass' | 'fail' {
  if (v !== 'pass' && v !== 'fail') c.fail(at, 'must be "pass" or "fail"');
  return v;
}

function wholeNumber(c: Checker, v: unknown, at: string, min: number): void {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min)
    c.fail(at, `must be a whole number >= ${min}`);
}

function sha256(c: Checker, v: unknown, at: string): void {
  const d = c.object(v, at);
  only(c, d, ['sha256'], at);
  if (typeof d['sha256'] !== 'string' || !/^[0-9a-f]{64}$/.test(d['sha256']))
    c.fail(`${at}.sha256`, 'must be 64 lowercase hex characters');
}

/** a string that may be empty (finding messages), unlike Checker.string */
function text(c: Checker, v: unknown, at: string, max: number): void {
  if (typeof v !== 'string') c.fail(at, 'must be a string');
  if (v.length > max) c.fail(at, `is longer than ${max} characters`);
}
