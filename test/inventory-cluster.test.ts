/**
 * `modelseal inventory --kubeconfig` as users meet it: a spawned CLI reading a live cluster, here
 * the local list/watch API server over HTTPS with a bearer token (no real API server on this
 * machine). The same pods give the same per-model results as the webhook's reporter writes.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { realVerify } from '../packages/admission/src/engine.ts';
import { D1, D2, imageVolume, podSpec } from '../packages/admission/test/reviews.ts';
import {
  OMS,
  policyDoc,
  SLSA,
  type TestSigner,
  testEngine,
  testSigner,
} from '../packages/admission/test/signing.ts';
import { cycloneDxErrors } from '../packages/bom/test/validate.ts';
import { kubeSources, PLURALS } from '../webhook/src/kube.ts';
import { silentLogger } from '../webhook/src/log.ts';
import { DEFAULT_REPORTER_CONFIG, startReporter } from '../webhook/src/reports.ts';
import { type FakeApiServer, kubeConfigFor, startFakeApiServer } from '../webhook/test/fake-apiserver.ts';
import { makeTlsFixture, type TlsFixture } from '../webhook/test/tls-fixture.ts';

// biome-ignore lint/suspicious/noExplicitAny: assertions walk arbitrary JSON
type Json = any;

const bin = fileURLToPath(new URL('../cli/src/bin.ts', import.meta.url));
const TOKEN = 'inventory-test-token';
let dir: string;
let tls: TlsFixture;
let api: FakeApiServer;
let signer: TestSigner;
const p = (f: string) => join(dir, f);
/** spawned asynchronously: the API server answering it runs in this process */
const cli = (...args: string[]) =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
const inventory = (...extra: string[]) => cli('inventory', '--kubeconfig', p('kubeconfig'), ...extra);

function kubeconfig(user: Record<string, unknown>, server = api.url) {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name: 'fake', cluster: { server, 'certificate-authority-data': tls.ca.toString('base64') } },
    ],
    users: [{ name: 'u', user }],
    contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'u' } }],
    'current-context': 'fake',
  });
}
const pod = (name: string, namespace: string, uid: string, volumes: unknown[], phase = 'Running') => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace, uid },
  spec: podSpec(volumes),
  status: { phase },
});

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'modelseal-inventory-cluster-'));
  tls = makeTlsFixture();
  signer = testSigner();
  api = await startFakeApiServer({
    tls: { cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) },
    token: TOKEN,
  });
  api.put(PLURALS.clusterPolicies, policyDoc('release', { k: signer }));
  api.put(PLURALS.attestations, {
    apiVersion: 'modelseal.dev/v1alpha1',
    kind: 'ModelAttestation',
    metadata: { name: 'llm', namespace: 'ml' },
    spec: {
      subjectDigest: D1,
      predicateType: OMS,
      bundle: new TextDecoder().decode(await signer.attest(D1)),
    },
  });
  api.put(
    'pods',
    pod('serving', 'ml', 'u-serving', [
      imageVolume('llm', `r.example/llm@${D1}`),
      imageVolume('ranker', `r.example/rank@${D2}`),
    ]),
  );
  api.put('pods', pod('web', 'ml', 'u-web', []));
  api.put('pods', pod('batch', 'jobs', 'u-batch', [imageVolume('m', `r.example/llm@${D1}`)]));
  api.put('pods', pod('old', 'jobs', 'u-old', [imageVolume('m', `r.example/rank@${D2}`)], 'Succeeded'));
  writeFileSync(p('kubeconfig'), kubeconfig({ token: TOKEN }));
  writeFileSync(
    p('tight.yaml'),
    stringify(
      policyDoc('release', { k: signer }, { require: [{ predicateType: OMS }, { predicateType: SLSA }] }),
    ),
  );
});

afterAll(async () => {
  await api?.close();
  tls?.cleanup();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('modelseal inventory --kubeconfig', () => {
  it('json: running pods that mount models, with digests, signers and results from the cluster objects', async () => {
    const r = await inventory('-o', 'json');
    expect(r.status, r.stderr).toBe(0);
    const { workloads } = JSON.parse(r.stdout);
    // the pod without models and the finished pod are left out, as they get no report
    expect(workloads.map((w: Json) => `${w.verdict} ${w.namespace}/${w.name} ${w.uid}`)).toEqual([
      'denied ml/serving u-serving',
      'allowed jobs/batch u-batch',
    ]);
    const [llm, ranker] = workloads[0].models;
    expect(llm).toMatchObject({ volume: 'llm', digest: D1, result: 'pass', policy: 'release' });
    expect(llm.signers[0]).toMatch(/^key:[0-9a-f]{64}$/);
    expect(ranker).toMatchObject({
      volume: 'ranker',
      digest: D2,
      result: 'fail',
      reasons: [{ code: 'ATTESTATION_MISSING' }],
    });
  });

  it("gives the results the webhook's reporter writes for the same pods", async () => {
    const r = await inventory('-o', 'json');
    const cliResults = JSON.parse(r.stdout).workloads.flatMap((w: Json) =>
      w.models.map(
        (m: Json) => `${w.uid} ${m.policy} ${m.volume} ${m.digest} ${m.result} ${m.signers.join(',')}`,
      ),
    );
    const kc = kubeConfigFor(api, { caData: tls.ca.toString('base64'), token: TOKEN });
    const sources = await kubeSources(kc, testEngine, silentLogger, { retryMs: 50 });
    const reporter = await startReporter(
      { ...DEFAULT_REPORTER_CONFIG, debounceMs: 0, deadlineMs: 5000, excludeNamespaces: [] },
      {
        kc,
        policies: sources.policies,
        store: sources.store,
        onChange: (l) => sources.onChange(l),
        verify: realVerify,
        engine: testEngine,
        log: silentLogger,
      },
    );
    try {
      const end = Date.now() + 10_000;
      while (api.list('policyreports').length < 2 && Date.now() < end)
        await new Promise((res) => setTimeout(res, 20));
      await reporter.idle();
      const reported = api
        .list('policyreports')
        .flatMap((rep: Json) =>
          rep.results.map(
            (x: Json) =>
              `${rep.scope.uid} ${x.policy} ${x.rule} ${x.properties.digest} ${x.result} ${x.properties.signers}`,
          ),
        );
      expect(reported.sort()).toEqual([...cliResults].sort());
      expect(cliResults).toHaveLength(3);
    } finally {
      await reporter.stop();
      await sources.stop();
    }
  });

  it('text on stderr with the count of running pods; cyclonedx validates; --namespace narrows', async () => {
    const t = await inventory();
    expect(t.status, t.stderr).toBe(0);
    expect(t.stdout).toBe('');
    expect(t.stderr).toMatch(/^DENIED {2}Pod ml\/serving$/m);
    expect(t.stderr).toContain(`pass  llm: ${D1}`);
    expect(t.stderr).toContain('2 workloads, 3 model mounts (of 3 running pods)');
    const c = await inventory('-o', 'cyclonedx');
    expect(c.status, c.stderr).toBe(0);
    expect(await cycloneDxErrors(JSON.parse(c.stdout))).toEqual([]);
    const jobs = await inventory('-o', 'json', '--namespace', 'jobs');
    expect(JSON.parse(jobs.stdout).workloads.map((w: Json) => w.name)).toEqual(['batch']);
  });

  it('--policy replaces the cluster policies: a tightened candidate fails the running model', async () => {
    const r = await inventory('-o', 'json', '--policy', p('tight.yaml'));
    expect(r.status, r.stderr).toBe(0);
    const llm = JSON.parse(r.stdout).workloads[0].models[0];
    expect(llm).toMatchObject({ volume: 'llm', result: 'fail' });
    expect(llm.reasons[0].message).toContain(SLSA);
  });

  it('an exec credential plugin supplies the token', async () => {
    writeFileSync(
      p('plugin.mjs'),
      `const info = JSON.parse(process.env.KUBERNETES_EXEC_INFO);
       if (!info.spec.cluster.server.startsWith('https://127.0.0.1')) process.exit(3);
       console.log(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token: process.env.T } }));`,
    );
    writeFileSync(
      p('exec.kubeconfig'),
      kubeconfig({
        exec: {
          apiVersion: 'client.authentication.k8s.io/v1',
          command: process.execPath,
          args: [p('plugin.mjs')],
          env: [{ name: 'T', value: TOKEN }],
        },
      }),
    );
    const r = await cli('inventory', '--kubeconfig', p('exec.kubeconfig'), '-o', 'json');
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).workloads).toHaveLength(2);
  });

  it('failures keep their codes: bad token 2, unreachable 1, missing CRD 1, bad kubeconfig 6, bad usage 2', async () => {
    writeFileSync(p('wrong.kubeconfig'), kubeconfig({ token: 'nope' }));
    const denied = await cli('inventory', '--kubeconfig', p('wrong.kubeconfig'));
    expect(denied.status).toBe(2);
    expect(denied.stderr).toMatch(/error\[KUBE_AUTH_FAILED\]/);

    writeFileSync(p('down.kubeconfig'), kubeconfig({ token: TOKEN }, 'https://127.0.0.1:1'));
    const down = await cli('inventory', '--kubeconfig', p('down.kubeconfig'));
    expect(down.status).toBe(1);
    expect(down.stderr).toMatch(/error\[KUBE_UNREACHABLE\]/);

    const bare = await startFakeApiServer({ missing: [PLURALS.clusterPolicies] });
    try {
      writeFileSync(p('bare.kubeconfig'), kubeconfig({}, bare.url));
      const missing = await cli('inventory', '--kubeconfig', p('bare.kubeconfig'));
      expect(missing.status).toBe(1);
      expect(missing.stderr).toMatch(/error\[KUBE_LIST_FAILED\].*clustermodelpolicies/);
    } finally {
      await bare.close();
    }

    writeFileSync(p('bad.kubeconfig'), 'clusters: []\ncurrent-context: nowhere\n');
    const bad = await cli('inventory', '--kubeconfig', p('bad.kubeconfig'));
    expect(bad.status).toBe(6);
    expect(bad.stderr).toMatch(/error\[KUBECONFIG_INVALID\].*nowhere/);

    const both = await cli('inventory', p('tight.yaml'), '--kubeconfig', p('kubeconfig'));
    expect(both.status).toBe(2);
    expect(both.stderr).toMatch(/error\[TARGET_CONFLICT\]/);
    const neither = await cli('inventory');
    expect(neither.status).toBe(2);
    expect(neither.stderr).toMatch(/error\[TARGET_MISSING\]/);
  });
});
