/**
 * The webhook's background reporter against the local list/watch API server (no real API server
 * here): pods appearing, changing and disappearing, policies and attestations changing under them,
 * reports written as the PolicyReport CRD requires (the fake API server rejects writes that fail
 * its schema, webhook/test/policyreport-crd.yaml), and the pass -> fail flip timed.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { realVerify } from '../packages/admission/src/engine.ts';
import { D1, D2, D3, imageVolume, podSpec } from '../packages/admission/test/reviews.ts';
import {
  OMS,
  policyDoc,
  SLSA,
  type TestSigner,
  testEngine,
  testSigner,
} from '../packages/admission/test/signing.ts';
import { type KubeSources, kubeSources, PLURALS } from '../webhook/src/kube.ts';
import { silentLogger } from '../webhook/src/log.ts';
import { DEFAULT_REPORTER_CONFIG, type Reporter, startReporter } from '../webhook/src/reports.ts';
import { type FakeApiServer, kubeConfigFor, startFakeApiServer } from '../webhook/test/fake-apiserver.ts';
import { policyReportErrors } from '../webhook/test/policyreport-schema.ts';
import { codeOfAsync } from './codes.ts';

// biome-ignore lint/suspicious/noExplicitAny: assertions walk arbitrary JSON
type Json = any;

const REPORTS = 'policyreports';
const CONFIG = {
  ...DEFAULT_REPORTER_CONFIG,
  debounceMs: 20,
  retryMs: 100,
  deadlineMs: 5000,
  excludeNamespaces: ['kube-system'],
};
/** what the tests promise: a change shows in the report within this */
const FLIP_BOUND_MS = 3000;

let signer: TestSigner;
let bundleD1: string;
const attestation = (name: string, subject: string, bundle: string) => ({
  apiVersion: 'modelseal.dev/v1alpha1',
  kind: 'ModelAttestation',
  metadata: { name, namespace: 'ml' },
  spec: { subjectDigest: subject, predicateType: OMS, bundle },
});
const pod = (name: string, uid: string, volumes: unknown[], extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'ml', uid },
  spec: podSpec(volumes),
  status: { phase: 'Running' },
  ...extra,
});

async function until<T>(f: () => T | undefined | false, what: string, ms = 8000): Promise<T> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = f();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function reporterOn(api: FakeApiServer): Promise<{ sources: KubeSources; reporter: Reporter }> {
  const kc = kubeConfigFor(api);
  const sources = await kubeSources(kc, testEngine, silentLogger, { retryMs: 50 });
  const reporter = await startReporter(CONFIG, {
    kc,
    policies: sources.policies,
    store: sources.store,
    onChange: (l) => sources.onChange(l),
    verify: realVerify,
    engine: testEngine,
    log: process.env.DEBUG_REPORTS ? (l, m, f) => console.error(l, m, JSON.stringify(f)) : silentLogger,
  });
  return { sources, reporter };
}

const report = (api: FakeApiServer, uid: string): Json => api.get(REPORTS, 'ml', `modelseal-${uid}`);
const resultOf = (api: FakeApiServer, uid: string, volume: string): string | undefined =>
  report(api, uid)?.results.find((r: Json) => r.rule === volume)?.result;

describe('PolicyReports for running pods', () => {
  let api: FakeApiServer;
  let run: { sources: KubeSources; reporter: Reporter };

  beforeAll(async () => {
    signer = testSigner();
    bundleD1 = new TextDecoder().decode(await signer.attest(D1));
    api = await startFakeApiServer({ validate: { [REPORTS]: policyReportErrors } });
    api.put(PLURALS.clusterPolicies, policyDoc('release', { k: signer }));
    api.put(PLURALS.attestations, attestation('llm', D1, bundleD1));
    api.put(
      'pods',
      pod('serving', 'u-serving', [
        imageVolume('llm', `r.example/llm@${D1}`),
        imageVolume('ranker', `r.example/rank@${D2}`),
      ]),
    );
    run = await reporterOn(api);
  });
  afterAll(async () => {
    await run?.reporter.stop();
    await run?.sources.stop();
    await api?.close();
  });

  it('writes one report per pod in its namespace, owned by the pod, valid under the CRD schema', async () => {
    const r = await until(() => report(api, 'u-serving'), 'the first report');
    expect(policyReportErrors(r)).toEqual([]);
    expect(r.apiVersion).toBe('wgpolicyk8s.io/v1alpha2');
    expect(r.metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'modelseal' });
    expect(r.metadata.ownerReferences).toEqual([
      { apiVersion: 'v1', kind: 'Pod', name: 'serving', uid: 'u-serving' },
    ]);
    expect(r.scope).toEqual({
      apiVersion: 'v1',
      kind: 'Pod',
      name: 'serving',
      namespace: 'ml',
      uid: 'u-serving',
    });
    expect(r.summary).toEqual({ pass: 1, fail: 1, warn: 0, error: 0, skip: 0 });
    const [llm, ranker] = r.results;
    expect(llm).toMatchObject({
      source: 'modelseal',
      policy: 'release',
      rule: 'llm',
      result: 'pass',
      resources: [r.scope],
      properties: { digest: D1, volume: 'llm', path: 'spec.volumes[0]', admission: 'denied' },
    });
    expect(llm.properties.signers).toMatch(/^key:[0-9a-f]{64}$/);
    expect(llm.timestamp.nanos).toBe(0);
    expect(Math.abs(llm.timestamp.seconds - Date.now() / 1000)).toBeLessThan(60);
    expect(ranker).toMatchObject({
      rule: 'ranker',
      result: 'fail',
      properties: { digest: D2, signers: '', codes: 'ATTESTATION_MISSING' },
    });
    expect(ranker.message).toContain('ATTESTATION_MISSING');
  });

  it('a pod no policy picks a model from, an excluded one and a finished one get no report', async () => {
    api.put('pods', pod('plain', 'u-plain', []));
    api.put('pods', {
      ...pod('sys', 'u-sys', [imageVolume('m', `r.example/llm@${D1}`)]),
      metadata: { name: 'sys', namespace: 'kube-system', uid: 'u-sys' },
    });
    api.put(
      'pods',
      pod('done', 'u-done', [imageVolume('m', `r.example/llm@${D1}`)], { status: { phase: 'Succeeded' } }),
    );
    api.put('pods', pod('marker', 'u-marker', [imageVolume('m', `r.example/llm@${D1}`)]));
    // the marker pod was added last: once its report is there, the others were looked at too
    await until(() => report(api, 'u-marker'), 'the marker report');
    await run.reporter.idle();
    expect(report(api, 'u-plain')).toBeUndefined();
    expect(api.get(REPORTS, 'kube-system', 'modelseal-u-sys')).toBeUndefined();
    expect(report(api, 'u-done')).toBeUndefined();
  });

  it('follows the pod: a changed pod is evaluated again, a finished or deleted pod loses its report', async () => {
    api.put('pods', pod('serving', 'u-serving', [imageVolume('llm', `r.example/llm@${D1}`)]));
    await until(() => report(api, 'u-serving')?.summary.fail === 0, 'the report of the changed pod');
    expect(report(api, 'u-serving').results.map((r: Json) => r.rule)).toEqual(['llm']);
    api.put(
      'pods',
      pod('marker', 'u-marker', [imageVolume('m', `r.example/llm@${D1}`)], { status: { phase: 'Failed' } }),
    );
    await until(() => !report(api, 'u-marker'), 'the finished pod losing its report');
    api.put('pods', pod('gone', 'u-gone', [imageVolume('m', `r.example/llm@${D1}`)]));
    await until(() => report(api, 'u-gone'), 'the report of a new pod');
    api.delete('pods', 'ml', 'gone');
    await until(() => !report(api, 'u-gone'), 'the deleted pod losing its report');
  });

  it('status churn costs no evaluation, and an evaluation that changes nothing writes nothing', async () => {
    await run.reporter.idle();
    const evaluations = run.reporter.stats.evaluations;
    const writes = api.requests.filter((r) => r !== 'get policyreports').length;
    for (let i = 0; i < 5; i++)
      api.put(
        'pods',
        pod('serving', 'u-serving', [imageVolume('llm', `r.example/llm@${D1}`)], {
          status: { phase: 'Running', conditions: [{ type: 'Ready', status: String(i % 2 === 0) }] },
        }),
      );
    await new Promise((r) => setTimeout(r, 200));
    await run.reporter.idle();
    expect(run.reporter.stats.evaluations).toBe(evaluations);
    // an unrelated attestation: every pod is evaluated again, no report changes
    api.put(PLURALS.attestations, attestation('other', D3, bundleD1));
    await until(
      () => run.reporter.stats.evaluations > evaluations,
      'evaluations after the attestation change',
    );
    await run.reporter.idle();
    expect(api.requests.filter((r) => r !== 'get policyreports').length).toBe(writes);
  });

  it(`flips pass -> fail within ${FLIP_BOUND_MS} ms when the model's attestation is deleted, and back`, async () => {
    expect(resultOf(api, 'u-serving', 'llm')).toBe('pass');
    const t0 = Date.now();
    api.delete(PLURALS.attestations, 'ml', 'llm');
    await until(() => resultOf(api, 'u-serving', 'llm') === 'fail', 'fail after the deletion', FLIP_BOUND_MS);
    const flipped = Date.now() - t0;
    expect(report(api, 'u-serving').results[0].properties.codes).toBe('ATTESTATION_MISSING');
    console.info(`report flipped pass -> fail ${flipped} ms after the attestation was deleted`);
    api.put(PLURALS.attestations, attestation('llm', D1, bundleD1));
    await until(
      () => resultOf(api, 'u-serving', 'llm') === 'pass',
      'pass after the attestation came back',
      FLIP_BOUND_MS,
    );
  });

  it(`flips pass -> fail within ${FLIP_BOUND_MS} ms when the policy tightens under a running pod`, async () => {
    expect(resultOf(api, 'u-serving', 'llm')).toBe('pass');
    const t0 = Date.now();
    api.put(
      PLURALS.clusterPolicies,
      policyDoc('release', { k: signer }, { require: [{ predicateType: OMS }, { predicateType: SLSA }] }),
    );
    await until(() => resultOf(api, 'u-serving', 'llm') === 'fail', 'fail after tightening', FLIP_BOUND_MS);
    console.info(`report flipped pass -> fail ${Date.now() - t0} ms after the policy tightened`);
    expect(report(api, 'u-serving').results[0].message).toContain(SLSA);
    // a namespaced policy that appears adds its own result to the same report
    api.put(PLURALS.policies, policyDoc('team', { k: signer }, { mode: 'warn' }, 'ModelPolicy', 'ml'));
    await until(
      () => report(api, 'u-serving')?.results.some((r: Json) => r.policy === 'team'),
      'the namespaced policy result',
    );
    expect(report(api, 'u-serving').results.find((r: Json) => r.policy === 'team').result).toBe('pass');
    api.delete(PLURALS.policies, 'ml', 'team');
    await until(() => report(api, 'u-serving')?.results.length === 1, 'the namespaced policy gone');
  });

  it('a second replica converges on the same reports without rewriting them', async () => {
    await run.reporter.idle();
    const before = api.requests.filter((r) => r === 'update policyreports').length;
    const stored = JSON.stringify(report(api, 'u-serving'));
    const second = await reporterOn(api);
    try {
      await until(() => second.reporter.stats.evaluations > 0, 'the second replica evaluating');
      await second.reporter.idle();
      expect(second.reporter.stats.writes).toBe(0);
      expect(api.requests.filter((r) => r === 'update policyreports').length).toBe(before);
      expect(JSON.stringify(report(api, 'u-serving'))).toBe(stored);
    } finally {
      await second.reporter.stop();
      await second.sources.stop();
    }
  });
});

describe('reporter start-up', () => {
  let api: FakeApiServer | undefined;
  afterEach(async () => {
    await api?.close();
    api = undefined;
  });

  it('deletes the reports of pods that went while no reporter ran', async () => {
    api = await startFakeApiServer();
    api.put(PLURALS.clusterPolicies, policyDoc('release', { k: testSigner() }));
    api.put(REPORTS, {
      apiVersion: 'wgpolicyk8s.io/v1alpha2',
      kind: 'PolicyReport',
      metadata: {
        name: 'modelseal-u-old',
        namespace: 'ml',
        labels: { 'app.kubernetes.io/managed-by': 'modelseal' },
      },
      scope: { apiVersion: 'v1', kind: 'Pod', name: 'old', namespace: 'ml', uid: 'u-old' },
      results: [],
    });
    api.put(REPORTS, {
      apiVersion: 'wgpolicyk8s.io/v1alpha2',
      kind: 'PolicyReport',
      metadata: { name: 'u-kyverno', namespace: 'ml' },
      results: [],
    });
    const run = await reporterOn(api);
    try {
      await until(() => !api!.get(REPORTS, 'ml', 'modelseal-u-old'), 'the orphan report swept');
      // another tool's report (no modelseal label) is left alone
      expect(api.get(REPORTS, 'ml', 'u-kyverno')).toBeDefined();
    } finally {
      await run.reporter.stop();
      await run.sources.stop();
    }
  });

  it('without the PolicyReport CRD, or without RBAC for pods, it is off with REPORTS_UNAVAILABLE', async () => {
    for (const opts of [{ missing: [REPORTS] }, { forbidden: [REPORTS] }, { forbidden: ['pods'] }]) {
      api = await startFakeApiServer(opts);
      const kc = kubeConfigFor(api);
      const sources = await kubeSources(kc, testEngine, silentLogger, { retryMs: 50 });
      try {
        const start = startReporter(CONFIG, {
          kc,
          policies: sources.policies,
          store: sources.store,
          onChange: () => {},
          verify: realVerify,
          engine: testEngine,
          log: silentLogger,
        });
        expect(await codeOfAsync(start), JSON.stringify(opts)).toBe('REPORTS_UNAVAILABLE');
        await expect(start).rejects.toThrow(
          opts.missing ? /not installed/ : opts.forbidden?.[0] === 'pods' ? /list and watch pods/ : /RBAC/,
        );
      } finally {
        await sources.stop();
        await api.close();
        api = undefined;
      }
    }
  });
});
