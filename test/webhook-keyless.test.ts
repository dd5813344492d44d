/**
 * A keyless-signed model (model_signing's own v1.1.0 Sigstore vector) admitted end to end with no
 * trusted root in the policy: the webhook binary started as the Helm chart starts it, fed by
 * custom resources through the in-cluster service account, answering a real AdmissionReview over
 * HTTPS and writing the running pod's PolicyReport; and `modelseal policy test` giving the same
 * verdict on the same pod. Both verify against the public-good root shipped with modelseal, offline.
 */
import { type ChildProcess, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { directoryStore } from '@modelseal/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { D2, imageVolume, podSpec, review, workload } from '../packages/admission/test/reviews.ts';
import { OMS } from '../packages/admission/test/signing.ts';
import { type FakeApiServer, startFakeApiServer } from '../webhook/test/fake-apiserver.ts';
import { canSpawnAsChart, listeningPort, spawnAsChart } from '../webhook/test/spawn-webhook.ts';
import { makeTlsFixture, send, type TlsFixture } from '../webhook/test/tls-fixture.ts';
import { SHARED_VECTORS } from './shared-vectors.ts';

const VECTOR = join(SHARED_VECTORS, 'model-transparency/v1.1.0-sigstore');
const bundleText = readFileSync(join(VECTOR, 'model.sig'), 'utf8');
/** the subject the bundle signs: what the pod pins its model image to */
const DIGEST = `sha256:${
  JSON.parse(Buffer.from(JSON.parse(bundleText).dsseEnvelope.payload, 'base64').toString()).subject[0].digest
    .sha256
}`;

const policy = {
  apiVersion: 'modelseal.dev/v1alpha1',
  kind: 'ClusterModelPolicy',
  metadata: { name: 'ibm-models' },
  spec: {
    // no trustedRoot: the root the webhook was started with (the shipped public-good one) applies
    authorities: [
      {
        name: 'ibm',
        keyless: { identity: 'stefanb@us.ibm.com', issuer: 'https://sigstore.verify.ibm.com/oauth2' },
      },
    ],
    require: [{ predicateType: 'oms' }],
  },
};
const pod = (name: string, digest: string) => ({
  ...workload('Pod', podSpec([imageVolume('model', `registry.example.com/models/ibm@${digest}`)])),
  metadata: { name, namespace: 'ml-serving' },
});

describe('webhook binary as the Helm chart runs it, keyless model, no inline trusted root', () => {
  let tls: TlsFixture;
  let api: FakeApiServer;
  let run: ReturnType<typeof spawnAsChart> | undefined;
  let child: ChildProcess | undefined;
  let port = 0;
  const runnable = canSpawnAsChart();

  beforeAll(async () => {
    if (!runnable) return;
    tls = makeTlsFixture();
    api = await startFakeApiServer({
      tls: { cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) },
    });
    api.put('clustermodelpolicies', policy);
    api.put('modelattestations', {
      apiVersion: 'modelseal.dev/v1alpha1',
      kind: 'ModelAttestation',
      metadata: { name: 'ibm-model', namespace: 'ml-serving' },
      spec: { subjectDigest: DIGEST, predicateType: OMS, bundle: bundleText },
    });
    // a running pod, for the reporter the chart turns on (--reports)
    api.put('pods', {
      ...pod('llm', DIGEST),
      metadata: { name: 'llm', namespace: 'ml-serving', uid: 'u-llm' },
      status: { phase: 'Running' },
    });
    run = spawnAsChart({
      tls,
      apiServer: { port: api.port, ca: tls.ca },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child = run.child;
    port = await listeningPort(child);
  });

  afterAll(async () => {
    child?.kill('SIGKILL');
    run?.cleanup();
    await api?.close();
    tls?.cleanup();
  });

  it('runs with the chart flags: --kubernetes, no --trusted-root', (ctx) => {
    if (!runnable) {
      console.warn(
        'skipped: unshare cannot make a private mount namespace here (needs root or user namespaces)',
      );
      ctx.skip();
    }
    expect(run!.args).toContain('--kubernetes');
    expect(run!.args.some((a) => a.startsWith('--trusted-root'))).toBe(false);
  });

  it('allows the pod over HTTPS; a pod whose model has no attestation is denied', async (ctx) => {
    if (!runnable) ctx.skip();
    const ok = await send(port, tls.ca, '/validate', JSON.stringify(review(pod('llm', DIGEST))));
    expect(ok.status).toBe(200);
    const res = JSON.parse(ok.body).response;
    expect(res.status?.message).toBeUndefined();
    expect(res.allowed).toBe(true);
    expect(res.auditAnnotations['ibm-models.model']).toMatch(/stefanb@us\.ibm\.com.*result=ok$/);
    const bad = await send(port, tls.ca, '/validate', JSON.stringify(review(pod('other', D2))));
    expect(JSON.parse(bad.body).response).toMatchObject({ allowed: false });
    expect(JSON.parse(bad.body).response.status.message).toContain('ATTESTATION_MISSING');
  });

  it('writes the running pod a PolicyReport that passes, naming the keyless signer', async (ctx) => {
    if (!runnable) ctx.skip();
    expect(run!.args).toContain('--reports');
    const end = Date.now() + 20_000;
    const read = () => api.get('policyreports', 'ml-serving', 'modelseal-u-llm');
    while (!read() && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    const report = read();
    expect(report).toMatchObject({
      scope: { kind: 'Pod', name: 'llm', uid: 'u-llm' },
      summary: { pass: 1, fail: 0 },
      results: [{ policy: 'ibm-models', rule: 'model', result: 'pass', properties: { digest: DIGEST } }],
    });
    expect(JSON.stringify(report)).toContain('stefanb@us.ibm.com');
  });
});

describe('modelseal policy test, same pod, same policy', () => {
  const bin = fileURLToPath(new URL('../cli/src/bin.ts', import.meta.url));
  let dir: string;
  const p = (f: string) => join(dir, f);
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 60_000 });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'modelseal-keyless-policy-'));
    // filed as `sign --store` files a bundle: by the statement's subject digest and predicate type
    await directoryStore(p('store')).put(DIGEST, OMS, new TextEncoder().encode(bundleText));
    writeFileSync(p('policy.yaml'), stringify(policy));
    writeFileSync(p('pod.yaml'), stringify(pod('llm', DIGEST)));
    writeFileSync(p('other.yaml'), stringify(pod('other', D2)));
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('allows the pod (exit 0) and denies the unattested one (exit 7)', () => {
    const r = cli(
      'policy',
      'test',
      p('pod.yaml'),
      '--policy',
      p('policy.yaml'),
      '--store',
      p('store'),
      '-o',
      'json',
    );
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).verdicts).toMatchObject([
      { object: 'Pod ml-serving/llm', verdict: 'allowed' },
    ]);
    const other = cli('policy', 'test', p('other.yaml'), '--policy', p('policy.yaml'), '--store', p('store'));
    expect(other.status, other.stderr).toBe(7);
    expect(other.stderr).toContain('ATTESTATION_MISSING');
  });
});
