import { describe, expect, it } from 'vitest';
import type { AdmissionRequest } from '../src/admission.ts';
import { parseReview } from '../src/admission.ts';
import { createChecker } from '../src/checker.ts';
import type { Store } from '../src/contract.ts';
import { type DecideDeps, decide } from '../src/decide.ts';
import { type AdmissionPolicy, admissionSettings } from '../src/settings.ts';
import {
  asPolicy,
  fakeBundle,
  fakeEngine,
  fakeVerify,
  MODEL_SIG,
  memoryStore,
  policyDoc,
  SLSA,
} from './fakes.ts';
import { D1, D2, imageVolume, podSpec, review, vectorReview, WORKLOAD_KINDS, workload } from './reviews.ts';

function admissionPolicy(
  spec: Record<string, unknown>,
  name = 'release-models',
  namespace?: string,
): AdmissionPolicy {
  const policy = asPolicy(policyDoc(name, spec));
  return {
    policy,
    settings: admissionSettings(policy, 'test'),
    source: 'test',
    ...(namespace ? { namespace } : {}),
  };
}

const BASE_SPEC = { authorities: [{ name: 'release-key' }], require: [{ predicateType: MODEL_SIG }] };

function deps(policies: AdmissionPolicy[], store: Store = memoryStore(), deadlineMs = 2000): DecideDeps {
  const checker = createChecker({ store, verify: fakeVerify, engine: fakeEngine, now: Date.now });
  return { policies: () => policies, checker, deadlineMs };
}

const req = (r: unknown) => parseReview(r);

describe('decide on the shared vector', () => {
  it('denies the tag-referenced image volume and names field, model, digest, policy', async () => {
    const r = req(vectorReview());
    const res = await decide(r, deps([admissionPolicy(BASE_SPEC)]));
    expect(res.uid).toBe('d4e7c1a2-5b3f-4e8d-a9c6-0f1e2d3c4b5a');
    expect(res.allowed).toBe(false);
    expect(res.status?.code).toBe(403);
    const msg = res.status!.message;
    expect(msg).toContain('spec.volumes[0]');
    expect(msg).toContain('registry.example.com/models/llama-3.1-8b-instruct:v1.2');
    expect(msg).toContain('digest none');
    expect(msg).toContain('policy release-models');
    expect(msg).toContain('UNPINNED_MODEL');
    expect(msg).toContain('registry.example.com/models/llama-3.1-8b-instruct@sha256:<digest>');
    // the PVC and emptyDir are not covered unless the policy names them
    expect(msg).not.toContain('spec.volumes[1]');
  });

  it('covers the PVC and emptyDir when the policy names them, hinting the annotation', async () => {
    const res = await decide(
      req(vectorReview()),
      deps([admissionPolicy({ ...BASE_SPEC, match: { volumes: { names: ['adapters', 'tok*'] } } })]),
    );
    const msg = res.status!.message;
    expect(msg).toContain('spec.volumes[1] (volume adapters, model pvc:llama-adapters-v3');
    expect(msg).toContain('spec.volumes[2] (volume tokenizer, model emptyDir');
    expect(msg).toContain('modelseal.dev/model-digest.adapters: sha256:<hex>');
    expect(msg).not.toContain('kube-api-access');
  });

  it('warn mode allows with warnings of at most 120 characters', async () => {
    const res = await decide(req(vectorReview()), deps([admissionPolicy({ ...BASE_SPEC, mode: 'warn' })]));
    expect(res.allowed).toBe(true);
    expect(res.warnings!.length).toBe(1);
    for (const w of res.warnings!) expect(w.length).toBeLessThanOrEqual(120);
    expect(res.warnings![0]).toContain('UNPINNED_MODEL');
  });

  it('unpinned: warn lets an enforcing policy warn about unpinned models only', async () => {
    const res = await decide(
      req(vectorReview()),
      deps([admissionPolicy({ ...BASE_SPEC, unpinned: 'warn' })]),
    );
    expect(res.allowed).toBe(true);
    expect(res.warnings?.[0]).toMatch(/UNPINNED_MODEL/);
  });

  it('allows when no policy applies to the namespace', async () => {
    const res = await decide(
      req(vectorReview()),
      deps([admissionPolicy({ ...BASE_SPEC, match: { namespaces: ['prod-*'] } })]),
    );
    expect(res).toEqual({ uid: 'd4e7c1a2-5b3f-4e8d-a9c6-0f1e2d3c4b5a', allowed: true });
  });
});

describe('decide with attestations', () => {
  const pinned = (digest: string) => imageVolume('base-model', `registry.example.com/m@${digest}`);

  it.each(WORKLOAD_KINDS)('%s: allows a signed model and denies an unsigned one', async (kind) => {
    const store = memoryStore();
    store.put(D1, MODEL_SIG, fakeBundle(D1, MODEL_SIG, 'release-key'));
    const d = deps([admissionPolicy(BASE_SPEC)], store);
    const ok = await decide(req(review(workload(kind, podSpec([pinned(D1)])))), d);
    expect(ok.allowed).toBe(true);
    expect(Object.values(ok.auditAnnotations ?? {})[0]).toContain(`${D1} signers=key:release-key result=ok`);
    const bad = await decide(req(review(workload(kind, podSpec([pinned(D2)])))), d);
    expect(bad.allowed).toBe(false);
    const prefix =
      kind === 'Pod'
        ? 'spec'
        : kind === 'CronJob'
          ? 'spec.jobTemplate.spec.template.spec'
          : 'spec.template.spec';
    expect(bad.status!.message).toContain(`${prefix}.volumes[0]`);
    expect(bad.status!.message).toContain(`digest ${D2}`);
    expect(bad.status!.message).toContain(`MISSING_ATTESTATION: no verified ${MODEL_SIG} attestation`);
  });

  it('declared digests on a PVC are checked; a malformed one is denied', async () => {
    const store = memoryStore();
    store.put(D1, MODEL_SIG, fakeBundle(D1, MODEL_SIG, 'release-key'));
    const d = deps([admissionPolicy(BASE_SPEC)], store);
    const pvc = { name: 'weights', persistentVolumeClaim: { claimName: 'w' } };
    const ok = await decide(
      req(review(workload('Deployment', podSpec([pvc]), { 'modelseal.dev/model-digest.weights': D1 }))),
      d,
    );
    expect(ok.allowed).toBe(true);
    const bad = await decide(
      req(
        review(
          workload('Deployment', podSpec([pvc]), { 'modelseal.dev/model-digest.weights': 'sha256:XYZ' }),
        ),
      ),
      d,
    );
    expect(bad.allowed).toBe(false);
    expect(bad.status!.message).toContain('INVALID_MODEL_DIGEST');
  });

  it('reports every failed requirement of every applicable policy', async () => {
    const store = memoryStore();
    store.put(D1, MODEL_SIG, fakeBundle(D1, MODEL_SIG, 'someone-else'));
    const p1 = admissionPolicy({
      ...BASE_SPEC,
      require: [{ predicateType: MODEL_SIG }, { predicateType: SLSA }],
    });
    const p2 = admissionPolicy(BASE_SPEC, 'team-policy', 'ml-serving');
    const p3 = admissionPolicy(BASE_SPEC, 'other-ns-policy', 'elsewhere');
    const res = await decide(req(review(workload('Pod', podSpec([pinned(D1)])))), deps([p1, p2, p3], store));
    const msg = res.status!.message;
    expect(msg).toContain(`policy release-models`);
    expect(msg).toContain(`[requirement ${MODEL_SIG}]`);
    expect(msg).toContain(`[requirement ${SLSA}]`);
    expect(msg).toContain('policy team-policy');
    expect(msg).not.toContain('other-ns-policy');
  });

  it('audit mode allows with audit annotations naming digest and result', async () => {
    const res = await decide(
      req(review(workload('Pod', podSpec([pinned(D2)])))),
      deps([admissionPolicy({ ...BASE_SPEC, mode: 'audit' })]),
    );
    expect(res.allowed).toBe(true);
    expect(res.auditAnnotations).toEqual({
      'release-models.base-model': `${D2} signers=none result=MISSING_ATTESTATION`,
    });
  });

  it('ephemeral container updates are checked, plain pod updates and deletes are not', async () => {
    const d = deps([admissionPolicy(BASE_SPEC)]);
    const obj = workload('Pod', podSpec([pinned(D2)]));
    expect(
      (await decide(req(review(obj, { operation: 'UPDATE', subResource: 'ephemeralcontainers' })), d))
        .allowed,
    ).toBe(false);
    expect((await decide(req(review(obj, { operation: 'UPDATE' })), d)).allowed).toBe(true);
    expect((await decide(req(review(obj, { operation: 'DELETE' })), d)).allowed).toBe(true);
  });
});

describe('decide fails closed', () => {
  const pod = () => req(review(workload('Pod', podSpec([imageVolume('m', `r/m@${D1}`)]))));

  it('a store error becomes a deny with its code', async () => {
    const store: Store = {
      find: async () => {
        throw Object.assign(new Error('connection refused'), { code: 'ECONNREFUSED' });
      },
    };
    const res = await decide(pod(), deps([admissionPolicy(BASE_SPEC)], store));
    expect(res.allowed).toBe(false);
    expect(res.status!.message).toContain('CHECK_FAILED: connection refused');
  });

  it('a hanging store is cut at the deadline', async () => {
    const store: Store = { find: () => new Promise(() => {}) };
    const t0 = Date.now();
    const res = await decide(pod(), deps([admissionPolicy(BASE_SPEC)], store, 200));
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(res.allowed).toBe(false);
    expect(res.status!.message).toContain('DEADLINE_EXCEEDED');
  });

  it('unloadable policies deny, a request without object denies', async () => {
    const d: DecideDeps = {
      ...deps([]),
      policies: () => {
        throw new Error('policies not loaded yet');
      },
    };
    const res = await decide(pod(), d);
    expect(res.allowed).toBe(false);
    expect(res.status!.message).toContain('INTERNAL: policies not loaded yet');
    const noObj = { ...pod(), object: undefined } as AdmissionRequest;
    expect((await decide(noObj, deps([admissionPolicy(BASE_SPEC)]))).status!.message).toContain(
      'REQUEST_NO_OBJECT',
    );
  });

  it('hostile objects (wrong types everywhere) never throw', async () => {
    const d = deps([admissionPolicy({ ...BASE_SPEC, match: { volumes: { names: ['*'] } } })]);
    const hostile: unknown[] = [
      { kind: 'Pod', spec: { volumes: 'x' } },
      {
        kind: 'Pod',
        spec: {
          volumes: [
            null,
            1,
            { name: 3 },
            { name: 'v', image: 'str' },
            { name: 'w', image: { reference: 7 } },
          ],
        },
      },
      { kind: 'Pod', metadata: { annotations: { 'modelseal.dev/model-digest.v': 5 } }, spec: null },
    ];
    for (const object of hostile) {
      const res = await decide({ uid: 'u', kind: { kind: 'Pod' }, operation: 'CREATE', object }, d);
      expect(res.uid).toBe('u');
      expect(typeof res.allowed).toBe('boolean');
    }
  });
});

describe('checker cache', () => {
  it('verifies a bundle once per policy version and coalesces concurrent checks', async () => {
    const store = memoryStore();
    store.put(D1, MODEL_SIG, fakeBundle(D1, MODEL_SIG, 'release-key'));
    let verifies = 0;
    const checker = createChecker({
      store,
      verify: async (b, a) => {
        verifies++;
        return fakeVerify(b, a);
      },
      engine: fakeEngine,
      now: Date.now,
    });
    const p = admissionPolicy(BASE_SPEC).policy;
    const results = await Promise.all(Array.from({ length: 20 }, () => checker.check(D1, p)));
    expect(results.every((r) => r.allowed)).toBe(true);
    expect(verifies).toBe(1);
    expect(checker.stats.checks.coalesced).toBe(19);
    await checker.check(D1, p);
    expect(verifies).toBe(1);
    expect(checker.stats.verify.hits).toBe(1);
    const p2 = admissionPolicy({ ...BASE_SPEC, mode: 'warn' }).policy;
    await checker.check(D1, p2);
    expect(verifies).toBe(2);
  });

  it('keeps failures only for the negative TTL and bounds its size', async () => {
    let now = 0;
    const store = memoryStore();
    for (let i = 0; i < 5; i++) store.put(D1, MODEL_SIG, fakeBundle(D1, MODEL_SIG, `other-${i}`));
    let verifies = 0;
    const make = (maxEntries: number) =>
      createChecker({
        store,
        verify: async (b, a) => {
          verifies++;
          return fakeVerify(b, a);
        },
        engine: fakeEngine,
        now: () => now,
        config: { maxEntries, ttlMs: 1000, negativeTtlMs: 10 },
      });
    const p = admissionPolicy(BASE_SPEC).policy;
    const roomy = make(100);
    await roomy.check(D1, p);
    expect(verifies).toBe(5);
    await roomy.check(D1, p);
    expect(verifies).toBe(5);
    now = 100;
    await roomy.check(D1, p);
    expect(verifies).toBe(10);
    // 5 keys cycling through 3 slots: every lookup misses, so the bound holds
    const tight = make(3);
    await tight.check(D1, p);
    await tight.check(D1, p);
    expect(verifies).toBe(20);
  });
});
