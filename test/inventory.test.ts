/** `modelseal inventory` as users meet it: a spawned CLI on manifest files, real signed bundles. */
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
import { cycloneDxErrors } from '../packages/bom/test/validate.ts';

const bin = fileURLToPath(new URL('../cli/src/bin.ts', import.meta.url));
let dir: string;
const p = (f: string) => join(dir, f);
const cli = (...args: string[]) =>
  spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 60_000 });
const inventory = (...extra: string[]) =>
  cli('inventory', p('cluster.yaml'), '--policy', p('policy.yaml'), '--store', p('store'), ...extra);

// biome-ignore lint/suspicious/noExplicitAny: assertions walk arbitrary JSON
type Json = any;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'modelseal-inventory-'));
  const signer = testSigner();
  await directoryStore(p('store')).put(D1, OMS, await signer.attest(D1));
  writeFileSync(p('policy.yaml'), stringify(policyDoc('release-models', { 'release-key': signer })));
  writeFileSync(
    p('audit.yaml'),
    stringify(policyDoc('release-models', { 'release-key': signer }, { mode: 'audit' })),
  );
  const serving = {
    ...workload(
      'Pod',
      podSpec([imageVolume('llm', `r.example/llm@${D1}`), imageVolume('ranker', `r.example/rank@${D2}`)]),
    ),
    metadata: { name: 'serving', namespace: 'ml' },
  };
  const batch = {
    ...workload('Deployment', podSpec([imageVolume('model', `r.example/llm@${D1}`)])),
    metadata: { name: 'batch', namespace: 'ml' },
  };
  const latest = {
    ...workload('Job', podSpec([imageVolume('model', 'r.example/llm:latest')])),
    metadata: { name: 'tagged' },
  };
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: {} };
  writeFileSync(p('cluster.yaml'), [serving, batch, latest, cm].map((d) => stringify(d)).join('---\n'));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('modelseal inventory', () => {
  it('json: every workload, its models, digests, signers and per-model results; the admission verdict', () => {
    const r = inventory('-o', 'json');
    expect(r.status, r.stderr).toBe(0);
    const { workloads } = JSON.parse(r.stdout);
    expect(workloads.map((w: Json) => `${w.verdict} ${w.kind} ${w.namespace}/${w.name}`)).toEqual([
      'denied Pod ml/serving',
      'allowed Deployment ml/batch',
      'denied Job default/tagged',
    ]);
    const [llm, ranker] = workloads[0].models;
    expect(llm).toMatchObject({ volume: 'llm', digest: D1, result: 'pass', policy: 'release-models' });
    expect(llm.signers).toHaveLength(1);
    expect(llm.signers[0]).toMatch(/^key:[0-9a-f]{64}$/);
    expect(ranker).toMatchObject({ volume: 'ranker', digest: D2, result: 'fail', signers: [] });
    expect(ranker.reasons.map((x: Json) => x.code)).toContain('ATTESTATION_MISSING');
    expect(workloads[2].models[0]).toMatchObject({ result: 'fail', reasons: [{ code: 'UNPINNED_MODEL' }] });
    expect(workloads[2].models[0].digest).toBeUndefined();
  });

  it('under an audit-mode policy the same models fail in the report but every workload is allowed', () => {
    const r = cli(
      'inventory',
      p('cluster.yaml'),
      '--policy',
      p('audit.yaml'),
      '--store',
      p('store'),
      '-o',
      'json',
    );
    const { workloads } = JSON.parse(r.stdout);
    expect(workloads.map((w: Json) => w.verdict)).toEqual(['allowed', 'allowed', 'allowed']);
    expect(workloads[0].models.map((m: Json) => m.result)).toEqual(['pass', 'fail']);
  });

  it('cyclonedx: a valid 1.6 BOM, one component per model digest, workloads depending on them', async () => {
    const r = inventory('-o', 'cyclonedx');
    expect(r.status, r.stderr).toBe(0);
    const bom: Json = JSON.parse(r.stdout);
    expect(await cycloneDxErrors(bom)).toEqual([]);
    const models = bom.components.filter((c: Json) => c.type === 'machine-learning-model');
    expect(models.map((m: Json) => m['bom-ref'])).toEqual([
      `model:${D1}`,
      `model:${D2}`,
      'model:unpinned:r.example/llm:latest',
    ]);
    const serving = bom.dependencies.find((d: Json) => d.ref === 'workload:Pod/ml/serving');
    expect(serving.dependsOn).toEqual([`model:${D1}`, `model:${D2}`]);
  });

  it('text goes to stderr, stdout stays clean; bad inputs keep their codes', () => {
    const r = inventory();
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^DENIED {2}Pod ml\/serving$/m);
    expect(r.stderr).toContain(`pass  llm: ${D1}`);
    expect(r.stderr).toContain('3 workloads, 4 model mounts');
    const missing = cli('inventory', p('nope.yaml'), '--policy', p('policy.yaml'));
    expect(missing.status).toBe(5);
    expect(missing.stderr).toMatch(/error\[FILE_NOT_FOUND\]/);
  });
});
