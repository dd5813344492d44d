/**
 * `scan --attest` as a release pipeline uses it: sign a model, sign its scan into a store, and let
 * one policy require both the signature and a passing scan of the same digest, by one identity.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { EXIT_CODES } from '../src/exit.ts';
import { cleanup, cli, tempDir } from './helpers.ts';
import { osSystemPickle, writeModel } from './scan-fixtures.ts';

const SCAN = 'https://modelseal.dev/scan-result/v1';
const OMS = 'https://model_signing/signature/v1.0';

let dir: string;
const p = (f: string) => join(dir, f);

let clean: string;
let cleanDigest: string;

function model(name: string, unsafe = false): string {
  const m = writeModel(dir, name);
  if (unsafe) writeFileSync(join(m, 'optimizer.pt'), osSystemPickle());
  return m;
}

function signed(m: string, key = 'release'): string {
  const r = cli(['sign', m, '--key', p(`${key}.key`), '--store', `dir:${p('store')}`, '-o', 'json']);
  expect(r.status, r.stderr).toBe(0);
  return `sha256:${JSON.parse(r.stdout).subject.digest.sha256}`;
}

const scanAttest = (m: string, key = 'release', ...more: string[]) =>
  cli(['scan', m, '--attest', '--key', p(`${key}.key`), '--store', `dir:${p('store')}`, ...more]);

const verify = (target: string, ...more: string[]) =>
  cli(['verify-attestation', target, '--policy', p('policy.yaml'), '--store', p('store'), ...more]);

beforeAll(() => {
  dir = tempDir();
  for (const k of ['release', 'other']) expect(cli(['keygen', '--output-key-prefix', p(k)]).status).toBe(0);
  const pem = (k: string) => readFileSync(p(`${k}.pub`), 'utf8');
  writeFileSync(
    p('policy.yaml'),
    stringify({
      apiVersion: 'modelseal.dev/v1alpha1',
      kind: 'ModelPolicy',
      metadata: { name: 'signed-and-scanned' },
      spec: {
        authorities: [
          { name: 'release', key: { publicKey: pem('release') } },
          { name: 'ci', key: { publicKey: pem('other') } },
        ],
        require: [
          { predicateType: 'oms', authorities: ['release'] },
          {
            predicateType: 'scan',
            authorities: ['release'],
            conditions: ['predicate.verdict == "pass"', 'predicate.profile.name == "weights-only"'],
          },
        ],
      },
    }),
  );
});

afterAll(cleanup);

describe('scan --attest and a policy that requires a passing scan', () => {
  it('a signed model with a passing scan attestation satisfies the policy', () => {
    const m = model('clean');
    clean = m;
    const digest = signed(m);
    cleanDigest = digest;
    const scan = scanAttest(m, 'release', '--output', 'json');
    expect(scan.status, scan.stderr).toBe(0);
    const j = JSON.parse(scan.stdout);
    // the scan is about exactly the digest `sign` signed
    expect(`sha256:${j.model.digest.sha256}`).toBe(digest);
    expect(j.attestation.predicateType).toBe(SCAN);
    expect(j.attestation.store).toContain(digest.slice('sha256:'.length));
    const ok = verify(m, '-o', 'json');
    expect(ok.status, ok.stderr).toBe(0);
    const types = JSON.parse(ok.stdout).attestations.map((a: { predicateType: string }) => a.predicateType);
    expect(types).toEqual(expect.arrayContaining([OMS, SCAN]));
    // by digest, and the scan requirement alone
    expect(verify(digest, '--type', 'scan').status).toBe(0);
  });

  it('an unsafe pickle added and the model re-signed: the scan fails, and verify-attestation denies naming the scan requirement', () => {
    const m = clean;
    writeFileSync(join(m, 'optimizer.pt'), osSystemPickle());
    const digest = signed(m);
    expect(digest).not.toBe(cleanDigest);
    const scan = scanAttest(m);
    expect(scan.status).toBe(EXIT_CODES.policy);
    expect(scan.stdout).toMatch(/^FAIL\s+pickle\s.*optimizer\.pt$/m);
    expect(scan.stdout).toContain('GLOBAL_NOT_ALLOWED: imports os.system');
    // the failed verdict is signed too: the policy denies it by its condition, not for want of one
    expect(scan.stderr).toContain(`attested the failed scan of clean (${digest})`);
    const r = verify(m);
    expect(r.status).toBe(EXIT_CODES.policy);
    expect(r.stderr).toContain('error[POLICY_DENIED]');
    expect(r.stderr).toMatch(
      new RegExp(
        `\\[CONDITION_FAILED\\] condition "predicate.verdict == \\\\"pass\\\\"" is false .*\\[requirement ${SCAN}\\]`,
      ),
    );
    const j = JSON.parse(verify(digest, '-o', 'json').stdout);
    expect(j.error.code).toBe('POLICY_DENIED');
    const reasons = j.error.details.decision.reasons;
    expect(reasons.map((x: { code: string; requirement: string }) => `${x.code} ${x.requirement}`)).toEqual([
      `CONDITION_FAILED ${SCAN}`,
    ]);
    // the passing scan still stands for the bytes it was about, and for nothing else
    expect(verify(cleanDigest).status).toBe(0);
  });

  it('a model signed but never scanned is denied: the scan attestation is missing', () => {
    const m = model('unscanned');
    signed(m);
    const r = verify(m);
    expect(r.status).toBe(EXIT_CODES.policy);
    expect(r.stderr).toContain(`[ATTESTATION_MISSING] no verified ${SCAN} attestation`);
  });

  it('a passing scan from another signer is not trusted', () => {
    // signed by the policy's `ci` authority, which the scan requirement does not accept
    const byCi = model('scanned-by-ci');
    signed(byCi);
    expect(scanAttest(byCi, 'other').status).toBe(0);
    const wrong = verify(byCi);
    expect(wrong.status).toBe(EXIT_CODES.policy);
    expect(wrong.stderr).toContain(`[WRONG_AUTHORITY] the ${SCAN} attestation is signed by`);
    expect(wrong.stderr).toContain('is signed by [ci], but this requirement accepts only [release]');
    // signed by a key the policy does not know at all: it verifies against no authority
    const stranger = p('stranger');
    expect(cli(['keygen', '--output-key-prefix', stranger]).status).toBe(0);
    const byStranger = model('scanned-by-stranger');
    signed(byStranger);
    const s = cli(['scan', byStranger, '--attest', '--key', `${stranger}.key`, '--store', p('store')]);
    expect(s.status, s.stderr).toBe(0);
    const r = verify(byStranger, '-o', 'json');
    expect(r.status).toBe(EXIT_CODES.policy);
    const codes = JSON.parse(r.stdout).error.details.decision.reasons.map((x: { code: string }) => x.code);
    expect(codes[0]).toBe('ATTESTATION_MISSING');
    expect(codes).toContain('KEY_NOT_TRUSTED');
  });
});

describe('the scan predicate through attest and verify-attestation --type scan', () => {
  it('attest --type scan signs a --predicate-out file; verify-attestation --type scan --key checks it', () => {
    const m = model('by-file');
    const pred = p('by-file.scan.json');
    const scan = cli(['scan', m, '--predicate-out', pred, '-o', 'json']);
    expect(scan.status, scan.stderr).toBe(0);
    const digest = `sha256:${JSON.parse(scan.stdout).model.digest.sha256}`;
    const bundle = p('by-file.scan.sigstore.json');
    const a = cli([
      'attest',
      '--subject',
      `by-file@${digest}`,
      '--type',
      'scan',
      '--predicate',
      pred,
      '--key',
      p('release.key'),
      '--bundle',
      bundle,
    ]);
    expect(a.status, a.stderr).toBe(0);
    expect(a.stderr).toContain(`with ${SCAN}`);
    const empty = p('empty-store');
    const args = ['verify-attestation', digest, '--type', 'scan', '--store', empty, '--bundle', bundle];
    expect(cli([...args, '--key', p('release.pub')]).status).toBe(0);
    expect(cli([...args, '--key', p('other.pub')]).status).toBe(EXIT_CODES.policy);
  });

  it('a hand-edited scan predicate that claims a pass its files deny is refused (exit 6)', () => {
    const m = model('edited', true);
    const pred = p('edited.scan.json');
    const scan = cli(['scan', m, '--predicate-out', pred, '-o', 'json']);
    expect(scan.status).toBe(EXIT_CODES.policy);
    const digest = JSON.parse(scan.stdout).model.digest.sha256;
    writeFileSync(pred, JSON.stringify({ ...JSON.parse(readFileSync(pred, 'utf8')), verdict: 'pass' }));
    const a = cli([
      'attest',
      '--subject',
      `edited@sha256:${digest}`,
      '--type',
      SCAN,
      '--predicate',
      pred,
      '--key',
      p('release.key'),
      '--no-store',
      '--bundle',
      p('edited.sigstore.json'),
    ]);
    expect(a.status).toBe(EXIT_CODES.input);
    expect(a.stderr).toContain('error[SCAN_PREDICATE_INVALID]');
    expect(a.stderr).toContain('a file failed');
  });

  it('usage: attest --type scan needs a predicate; signing flags on scan need --attest (exit 2, coded)', () => {
    const m = model('usage');
    const noPred = cli([
      'attest',
      m,
      '--type',
      'scan',
      '--key',
      p('release.key'),
      '--store',
      p('store'),
      '-o',
      'json',
    ]);
    expect(noPred.status).toBe(EXIT_CODES.usage);
    expect(JSON.parse(noPred.stdout).error.code).toBe('PREDICATE_REQUIRED');
    for (const flags of [['--key', p('release.key')], ['--store', p('store')], ['--no-store']]) {
      const r = cli(['scan', m, ...flags, '-o', 'json']);
      expect(r.status, flags.join(' ')).toBe(EXIT_CODES.usage);
      expect(JSON.parse(r.stdout).error.code).toBe('ATTEST_REQUIRED');
    }
  });
});
