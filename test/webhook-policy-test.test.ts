/** `modelseal policy test` as users meet it: a spawned CLI on files, real signed bundles. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { directoryStore } from '@modelseal/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { D1, D2, imageVolume, podSpec, workload } from '../packages/admission/test/reviews.ts';
import { OMS, policyDoc, testSigner } from '../packages/admission/test/signing.ts';

const bin = fileURLToPath(new URL('../cli/src/bin.ts', import.meta.url));
let dir: string;
const p = (f: string) => join(dir, f);
const cli = (...args: string[]) =>
  spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 60_000 });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'modelseal-policy-test-'));
  const signer = testSigner();
  await directoryStore(p('store')).put(D1, OMS, await signer.attest(D1));
  writeFileSync(p('policy.yaml'), stringify(policyDoc('release-models', { 'release-key': signer })));
  const good = {
    ...workload('Pod', podSpec([imageVolume('model', `r.example/m@${D1}`)])),
    metadata: { name: 'good', namespace: 'ml' },
  };
  const bad = {
    ...workload('Deployment', podSpec([imageVolume('model', `r.example/m@${D2}`)])),
    metadata: { name: 'bad', namespace: 'ml' },
  };
  const cron = {
    ...workload('CronJob', podSpec([imageVolume('model', 'r.example/m:latest')])),
    metadata: { name: 'nightly' },
  };
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: {} };
  writeFileSync(p('mixed.yaml'), [good, bad, cron, cm].map((d) => stringify(d)).join('---\n'));
  writeFileSync(p('good.yaml'), stringify(good));
  writeFileSync(p('broken.yaml'), 'kind: Pod\nspec: [unclosed\n');
  writeFileSync(
    p('sometimes.yaml'),
    stringify(policyDoc('release-models', { 'release-key': signer }, { mode: 'sometimes' })),
  );
  writeFileSync(
    p('bad-policy.yaml'),
    stringify({ ...policyDoc('x', { k: signer }), spec: { authorities: [] } }),
  );
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('modelseal policy test', () => {
  it('prints per-object verdicts as JSON and exits 7 when any is denied', () => {
    const r = cli(
      'policy',
      'test',
      p('mixed.yaml'),
      '--policy',
      p('policy.yaml'),
      '--store',
      p('store'),
      '--output',
      'json',
    );
    expect(r.status, r.stderr).toBe(7);
    const out = JSON.parse(r.stdout);
    expect(out.ok).toBe(false);
    expect(out.verdicts.map((v: { object: string; verdict: string }) => `${v.verdict} ${v.object}`)).toEqual([
      'allowed Pod ml/good',
      'denied Deployment ml/bad',
      'denied CronJob default/nightly',
      'skipped ConfigMap default/c',
    ]);
    expect(out.verdicts[1].message).toContain(
      `volume model (spec.template.spec.volumes[0]), model r.example/m, digest ${D2}: policy release-models`,
    );
    expect(out.verdicts[1].message).toContain('ATTESTATION_MISSING');
    expect(out.verdicts[2].message).toContain('UNPINNED_MODEL');
  });

  it('text verdicts go to stderr, stdout stays clean; all allowed exits 0', () => {
    const r = cli('policy', 'test', p('mixed.yaml'), '--policy', p('policy.yaml'), '--store', p('store'));
    expect(r.status).toBe(7);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^ALLOWED Pod ml\/good$/m);
    expect(r.stderr).toMatch(/^DENIED {2}Deployment ml\/bad$/m);
    expect(r.stderr).toContain('1 allowed, 2 denied, 1 skipped');
    const ok = cli('policy', 'test', p('good.yaml'), '--policy', p('policy.yaml'), '--store', p('store'));
    expect(ok.status, ok.stderr).toBe(0);
  });

  it('without a store nothing is attested', () => {
    const r = cli('policy', 'test', p('good.yaml'), '--policy', p('policy.yaml'), '-o', 'json');
    expect(r.status).toBe(7);
    expect(JSON.parse(r.stdout).verdicts[0].verdict).toBe('denied');
  });

  it('bad inputs fail with codes and the input exit code', () => {
    const yaml = cli('policy', 'test', p('broken.yaml'), '--policy', p('policy.yaml'));
    expect(yaml.status).toBe(6);
    expect(yaml.stderr).toMatch(/error\[YAML_MALFORMED\]/);
    const pol = cli('policy', 'test', p('good.yaml'), '--policy', p('bad-policy.yaml'));
    expect(pol.status).toBe(6);
    expect(pol.stderr).toMatch(/error\[POLICY_/);
    const missing = cli('policy', 'test', p('nope.yaml'), '--policy', p('policy.yaml'));
    expect(missing.status).toBe(5);
    expect(missing.stderr).toMatch(/error\[FILE_NOT_FOUND\]/);
    const usage = cli('policy', 'test', p('good.yaml'));
    expect(usage.status).toBe(2);
  });

  it('policy test and verify-attestation agree on what a valid policy is: mode sometimes is neither', () => {
    const viaPolicyTest = cli(
      'policy',
      'test',
      p('good.yaml'),
      '--policy',
      p('sometimes.yaml'),
      '-o',
      'json',
    );
    // D1 is attested by the policy's key: only the bad mode can make this fail
    const viaVerify = cli(
      'verify-attestation',
      D1,
      '--policy',
      p('sometimes.yaml'),
      '--store',
      p('store'),
      '-o',
      'json',
    );
    const valid = cli(
      'verify-attestation',
      D1,
      '--policy',
      p('policy.yaml'),
      '--store',
      p('store'),
      '-o',
      'json',
    );
    expect(valid.status, valid.stderr).toBe(0);
    for (const r of [viaPolicyTest, viaVerify]) {
      expect(r.status, r.stderr).toBe(6);
      expect(JSON.parse(r.stdout).error).toMatchObject({ kind: 'input', code: 'POLICY_ADMISSION_INVALID' });
      expect(r.stderr).toContain('spec.mode must be one of enforce, warn, audit');
    }
  });
});
