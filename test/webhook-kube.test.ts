/**
 * The informer-backed store and policy source against a local API server speaking list/watch
 * over HTTP on 127.0.0.1, including a dropped watch that resumes and a 410 Gone that relists.
 */
import { kubernetesStore } from '@modelseal/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { D1, D2 } from '../packages/admission/test/reviews.ts';
import { policyDoc, testEngine, testSigner } from '../packages/admission/test/signing.ts';
import { type KubeSources, kubeSources, PLURALS } from '../webhook/src/kube.ts';
import { silentLogger } from '../webhook/src/log.ts';
import { type FakeApiServer, kubeConfigFor, startFakeApiServer } from '../webhook/test/fake-apiserver.ts';

const MODEL_SIG = 'https://model_signing/signature/v1.0';
const attestation = (name: string, subject: string, bundle: string, namespace = 'ml') => ({
  apiVersion: 'modelseal.dev/v1alpha1',
  kind: 'ModelAttestation',
  metadata: { name, namespace },
  spec: { subjectDigest: subject, predicateType: MODEL_SIG, bundle },
});
const keys = { k: testSigner() };
const clusterPolicy = (name: string, spec: Record<string, unknown>) => policyDoc(name, keys, spec);

async function until(cond: () => boolean | Promise<boolean>, what: string, ms = 8000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('kubernetesStore (pure)', () => {
  it('indexes by subject, keeps JSON bytes verbatim, decodes base64, rejects bad objects', async () => {
    const s = kubernetesStore();
    const json = ' {"mediaType": "x"}';
    s.upsert(attestation('a', D1, json));
    s.upsert(attestation('b', D1, Buffer.from('{"b":1}').toString('base64')));
    s.upsert(attestation('c', D2, '%%%not base64'));
    s.upsert(attestation('d', 'sha256:XYZ', json));
    s.upsert({ ...attestation('e', D2, json), kind: 'Pod' });
    s.upsert(attestation('f', D2, 'A'.repeat(3 * 1024 * 1024)));
    const found = await s.find(D1);
    expect(found.map((f) => new TextDecoder().decode(f.bundle)).sort()).toEqual([json, '{"b":1}']);
    expect(found[0]!.source).toMatch(/^kubernetes:ModelAttestation\/ml\//);
    expect(await s.find(D1, 'https://other')).toEqual([]);
    expect(await s.find(D2)).toEqual([]);
    expect([...s.rejected.keys()].sort()).toEqual(['ml/c', 'ml/d', 'ml/e', 'ml/f']);
    s.upsert(attestation('a', D2, json));
    expect(await s.find(D1)).toHaveLength(1);
    expect(await s.find(D2)).toHaveLength(1);
    s.remove(attestation('a', D2, json));
    expect(await s.find(D2)).toHaveLength(0);
    expect(s.size).toBe(1);
  });
});

describe('informer-backed sources over list/watch', () => {
  let api: FakeApiServer;
  let sources: KubeSources;

  beforeAll(async () => {
    api = await startFakeApiServer();
    api.put(PLURALS.attestations, attestation('m1', D1, '{"n":1}'));
    api.put(PLURALS.clusterPolicies, clusterPolicy('release', {}));
    const kc = kubeConfigFor(api);
    sources = await kubeSources(kc, testEngine, silentLogger, { retryMs: 50 });
  });

  afterAll(async () => {
    await sources?.stop();
    await api?.close();
  });

  it('lists on start and becomes ready', async () => {
    expect(sources.policies.ready()).toBe(true);
    expect(sources.store.ready()).toBe(true);
    expect(await sources.store.find(D1)).toHaveLength(1);
    expect(sources.policies.current().map((p) => p.policy.name)).toEqual(['release']);
  });

  it('follows ADDED / MODIFIED / DELETED from the watch', async () => {
    api.put(PLURALS.attestations, attestation('m2', D2, '{"n":2}'));
    await until(async () => (await sources.store.find(D2)).length === 1, 'ADDED attestation');
    api.put(PLURALS.attestations, attestation('m2', D1, '{"n":3}'));
    await until(async () => (await sources.store.find(D1)).length === 2, 'MODIFIED attestation');
    api.delete(PLURALS.attestations, 'ml', 'm2');
    await until(async () => (await sources.store.find(D1)).length === 1, 'DELETED attestation');
    api.put(PLURALS.policies, policyDoc('team', keys, { mode: 'warn' }, 'ModelPolicy', 'ml'));
    await until(() => sources.policies.current().length === 2, 'namespaced policy');
    const team = sources.policies.current().find((p) => p.policy.name === 'team')!;
    expect(team.namespace).toBe('ml');
    expect(team.settings.mode).toBe('warn');
  });

  it('an invalid policy object is kept as a broken policy that denies', async () => {
    api.put(PLURALS.clusterPolicies, clusterPolicy('bad', { mode: 'sometimes' }));
    await until(() => sources.policies.current().some((p) => p.policy.name === 'bad'), 'broken policy');
    const bad = sources.policies.current().find((p) => p.policy.name === 'bad')!;
    expect(bad.broken).toContain('spec.mode must be one of enforce, warn, audit');
    api.delete(PLURALS.clusterPolicies, undefined, 'bad');
    await until(
      () => !sources.policies.current().some((p) => p.policy.name === 'bad'),
      'broken policy deleted',
    );
  });

  it('resumes after a dropped watch without relisting', async () => {
    const lists = api.lists;
    const watches = api.watches;
    api.dropWatches();
    api.put(PLURALS.attestations, attestation('m3', D2, '{"n":4}'));
    await until(async () => (await sources.store.find(D2)).length === 1, 'event after reconnect');
    expect(api.watches).toBeGreaterThan(watches);
    expect(api.lists).toBe(lists);
  });

  it('relists after 410 Gone and drops objects deleted meanwhile', async () => {
    const lists = api.lists;
    api.compact();
    api.dropWatches();
    // while disconnected: history gone, so only a relist can reveal these changes
    api.delete(PLURALS.attestations, 'ml', 'm3');
    api.compact();
    api.put(PLURALS.attestations, attestation('m4', D2, '{"n":5}'));
    api.compact();
    await until(async () => api.lists > lists, 'relist');
    await until(async () => {
      const found = await sources.store.find(D2);
      return found.length === 1 && found[0]!.source.endsWith('/m4');
    }, 'state after relist');
  });
});

describe('informer start-up', () => {
  it('fails fast with a coded error when a CRD is not installed', async () => {
    const api = await startFakeApiServer({ missing: [PLURALS.clusterPolicies] });
    try {
      const kc = kubeConfigFor(api);
      await expect(kubeSources(kc, testEngine, silentLogger, { retryMs: 50 })).rejects.toMatchObject({
        code: 'KUBE_LIST_FAILED',
        message: expect.stringContaining('clustermodelpolicies.modelseal.dev'),
      });
    } finally {
      await api.close();
    }
  });
});
