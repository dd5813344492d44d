import { beforeAll, describe, expect, it } from 'vitest';
import type { AdmissionRequest } from '../src/admission.ts';
import { parseReview } from '../src/admission.ts';
import { createChecker, DEFAULT_CHECKER_CONFIG } from '../src/checker.ts';
import type { Store, VerifyFn } from '../src/contract.ts';
import { type DecideDeps, decide } from '../src/decide.ts';
import { realVerify } from '../src/engine.ts';
import { toAdmissionPolicy } from '../src/policies.ts';
import type { AdmissionPolicy } from '../src/settings.ts';
import { memoryStore } from './fakes.ts';
import { D1, D2, imageVolume, podSpec, review, vectorReview, WORKLOAD_KINDS, workload } from './reviews.ts';
import { OMS, policyDoc, SLSA, type TestSigner, testEngine, testSigner } from './signing.ts';

let release: TestSigner;
let stranger: TestSigner;
let signedD1: Uint8Array;
const verify: VerifyFn = realVerify;

beforeAll(async () => {
  release = testSigner();
  stranger = testSigner();
  signedD1 = await release.attest(D1);
});

function admissionPolicy(
  spec: Record<string, unknown> = {},
  name = 'release-models',
  namespace?: string,
): AdmissionPolicy {
  const doc = policyDoc(
    name,
    { 'release-key': release },
    spec,
    namespace ? 'ModelPolicy' : 'ClusterModelPolicy',
    namespace,
  );
  return toAdmissionPolicy(doc, 'test', testEngine);
}

function storeWithD1(): ReturnType<typeof memoryStore> {
  const store = memoryStore();
  store.put(D1, OMS, signedD1);
  return store;
}

function deps(policies: AdmissionPolicy[], store: Store = memoryStore(), deadlineMs = 2000): DecideDeps {
  const checker = createChecker({ store, verify, engine: testEngine, now: Date.now });
  return { policies: () => policies, checker, deadlineMs };
}

const req = (r: unknown) => parseReview(r);
const pinned = (digest: string) => imageVolume('base-model', `registry.example.com/m@${digest}`);

describe('decide on the shared vector', () => {
  it('denies the tag-referenced image volume and names field, model, digest, policy', async () => {
    const res = await decide(req(vectorReview()), deps([admissionPolicy()]));
    expect(res.uid).toBe('d4e7c1a2-5b3f-4e8d-a9c6-0f1e2d3c4b5a');
    expect(res.allowed).toBe(false);
    expect(res.status?.code).toBe(403);
    const msg = res.status!.message;
    expect(msg).toContain('spec.volumes[0]');
    expect(msg).toContain('registry.example.com/models/llama-3.1-8b-instruct:v1.2');
    // an unpinned model has no digest to name: the reason says so once
    expect(msg).toContain('UNPINNED_MODEL: not pinned by digest');
    expect(msg).not.toContain('digest none');
    expect(msg).toContain('policy release-models');
    expect(msg).toContain('UNPINNED_MODEL');
    expect(msg).toContain('registry.example.com/models/llama-3.1-8b-instruct@sha256:<digest>');
    // the PVC and emptyDir are not covered unless the policy names them
    expect(msg).not.toContain('spec.volumes[1]');
  });

  it('covers the PVC and emptyDir when the policy names them, hinting the annotation', async () => {
    const res = await decide(
      req(vectorReview()),
      deps([admissionPolicy({ match: { volumes: { names: ['adapters', 'tok*'] } } })]),
    );
    const msg = res.status!.message;
    expect(msg).toContain('volume adapters (spec.volumes[1]), model pvc:llama-adapters-v3');
    expect(msg).toContain('volume tokenizer (spec.volumes[2]), model emptyDir');
    expect(msg).toContain('modelseal.dev/model-digest.adapters: sha256:<hex>');
    expect(msg).not.toContain('kube-api-access');
  });

  it('warn mode allows with one warning per model, within the 256 characters Kubernetes keeps', async () => {
    const res = await decide(req(vectorReview()), deps([admissionPolicy({ mode: 'warn' })]));
    expect(res.allowed).toBe(true);
    expect(res.warnings!.length).toBe(1);
    for (const w of res.warnings!) expect(w.length).toBeLessThanOrEqual(256);
    expect(res.warnings![0]).toContain('UNPINNED_MODEL');
  });

  it('unpinned: warn lets an enforcing policy warn about unpinned models only', async () => {
    const res = await decide(req(vectorReview()), deps([admissionPolicy({ unpinned: 'warn' })]));
    expect(res.allowed).toBe(true);
    expect(res.warnings?.[0]).toMatch(/UNPINNED_MODEL/);
  });

  it('rejects unknown or mistyped admission settings with a coded error', () => {
    expect(() => admissionPolicy({ match: { namespace: ['x'] } })).toThrow(
      /spec\.match\.namespace must be absent/,
    );
    expect(() => admissionPolicy({ match: { volumes: { image: true } } })).toThrow(/match\.volumes\.image/);
    expect(() => admissionPolicy({ mode: 'sometimes' })).toThrow(
      /spec\.mode must be one of enforce, warn, audit/,
    );
    expect(() => admissionPolicy({ unpinned: 'allow' })).toThrow(/spec\.unpinned/);
    expect(() => admissionPolicy({ match: { namespaces: 'ml-*' } })).toThrow(/match\.namespaces/);
    try {
      admissionPolicy({ mode: 3 });
    } catch (e) {
      expect((e as { code: string }).code).toBe('POLICY_ADMISSION_INVALID');
    }
  });

  it('allows when no policy applies to the namespace', async () => {
    const res = await decide(
      req(vectorReview()),
      deps([admissionPolicy({ match: { namespaces: ['prod-*'] } })]),
    );
    expect(res).toEqual({ uid: 'd4e7c1a2-5b3f-4e8d-a9c6-0f1e2d3c4b5a', allowed: true });
  });
});

describe('decide with real signed attestations', () => {
  it.each(WORKLOAD_KINDS)('%s: allows a signed model and denies an unsigned one', async (kind) => {
    const d = deps([admissionPolicy()], storeWithD1());
    const ok = await decide(req(review(workload(kind, podSpec([pinned(D1)])))), d);
    expect(ok.allowed).toBe(true);
    expect(Object.values(ok.auditAnnotations ?? {})[0]).toMatch(
      new RegExp(`^${D1} signers=key:[0-9a-f]{64} result=ok$`),
    );
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
    expect(bad.status!.message).toContain(`ATTESTATION_MISSING: no verified ${OMS} attestation`);
  });

  it('declared digests on a PVC are checked; a malformed one is denied', async () => {
    const d = deps([admissionPolicy()], storeWithD1());
    const pvc = { name: 'weights', persistentVolumeClaim: { claimName: 'w' } };
    const ann = (v: string) => ({ 'modelseal.dev/model-digest.weights': v });
    const ok = await decide(req(review(workload('Deployment', podSpec([pvc]), ann(D1)))), d);
    expect(ok.allowed).toBe(true);
    const bad = await decide(req(review(workload('Deployment', podSpec([pvc]), ann('sha256:XYZ')))), d);
    expect(bad.allowed).toBe(false);
    expect(bad.status!.message).toContain('INVALID_MODEL_DIGEST');
  });

  it('a bundle from an untrusted key does not count; every failed requirement of every policy is named', async () => {
    const store = memoryStore();
    store.put(D1, OMS, await stranger.attest(D1));
    const p1 = admissionPolicy({ require: [{ predicateType: OMS }, { predicateType: SLSA }] });
    const p2 = admissionPolicy({}, 'team-policy', 'ml-serving');
    const p3 = admissionPolicy({}, 'other-ns-policy', 'elsewhere');
    const res = await decide(req(review(workload('Pod', podSpec([pinned(D1)])))), deps([p1, p2, p3], store));
    const msg = res.status!.message;
    expect(res.allowed).toBe(false);
    expect(msg).toContain('policy release-models');
    // each requirement named once (its message names the predicate type), the model and digest once
    expect(msg).toContain(`no verified ${SLSA} attestation`);
    expect(msg).not.toContain('[requirement');
    expect(msg.split(D1).length - 1).toBe(1);
    expect(msg).toContain('policy team-policy');
    expect(msg).not.toContain('other-ns-policy');
  });

  it('a tampered bundle is denied', async () => {
    const store = memoryStore();
    const text = new TextDecoder().decode(signedD1);
    const sig = /"sig":\s*"([^"]+)"/.exec(text)![1]!;
    const flipped = sig[5] === 'A' ? 'B' : 'A';
    store.put(D1, OMS, new TextEncoder().encode(text.replace(sig, sig.slice(0, 5) + flipped + sig.slice(6))));
    const res = await decide(
      req(review(workload('Pod', podSpec([pinned(D1)])))),
      deps([admissionPolicy()], store),
    );
    expect(res.allowed).toBe(false);
  });

  it('audit mode allows with audit annotations naming digest and result', async () => {
    const res = await decide(
      req(review(workload('Pod', podSpec([pinned(D2)])))),
      deps([admissionPolicy({ mode: 'audit' })]),
    );
    expect(res.allowed).toBe(true);
    expect(res.auditAnnotations).toEqual({
      'release-models.base-model': `${D2} signers=none result=ATTESTATION_MISSING`,
    });
  });

  it('ephemeral container updates are checked, plain pod updates and deletes are not', async () => {
    const d = deps([admissionPolicy()]);
    const obj = workload('Pod', podSpec([pinned(D2)]));
    const eph = await decide(
      req(review(obj, { operation: 'UPDATE', subResource: 'ephemeralcontainers' })),
      d,
    );
    expect(eph.allowed).toBe(false);
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
    const res = await decide(pod(), deps([admissionPolicy()], store));
    expect(res.allowed).toBe(false);
    expect(res.status!.message).toMatch(/connection refused/);
  });

  it('a hanging store is cut at the deadline', async () => {
    const store: Store = { find: () => new Promise(() => {}) };
    const t0 = Date.now();
    const res = await decide(pod(), deps([admissionPolicy()], store, 200));
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(res.allowed).toBe(false);
    expect(res.status!.message).toContain('DEADLINE_EXCEEDED');
  });

  it('unloadable policies deny, a request without object denies, a broken policy denies', async () => {
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
    expect((await decide(noObj, deps([admissionPolicy()]))).status!.message).toContain('REQUEST_NO_OBJECT');
    const broken: AdmissionPolicy = {
      ...admissionPolicy(),
      broken: 'spec.mode must be one of enforce, warn, audit',
    };
    const b = await decide(pod(), deps([broken], storeWithD1()));
    expect(b.allowed).toBe(false);
    expect(b.status!.message).toContain('POLICY_INVALID: spec.mode must be');
  });

  it('hostile objects (wrong types everywhere) never throw', async () => {
    const d = deps([admissionPolicy({ match: { volumes: { names: ['*'] } } })]);
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
  const counting = () => {
    const c = {
      n: 0,
      verify: (async (b, a) => {
        c.n++;
        return verify(b, a);
      }) as VerifyFn,
    };
    return c;
  };

  it('verifies a bundle once per policy version and coalesces concurrent checks', async () => {
    const v = counting();
    const checker = createChecker({
      store: storeWithD1(),
      verify: v.verify,
      engine: testEngine,
      now: Date.now,
      config: { ...DEFAULT_CHECKER_CONFIG, decisionTtlMs: 0 },
    });
    const p = admissionPolicy().policy;
    const results = await Promise.all(Array.from({ length: 20 }, () => checker.check(D1, p)));
    expect(results.every((r) => r.allowed)).toBe(true);
    expect(v.n).toBe(1);
    expect(checker.stats.checks.coalesced).toBe(19);
    await checker.check(D1, p);
    expect(v.n).toBe(1);
    expect(checker.stats.verify.hits).toBe(1);
    await checker.check(D1, admissionPolicy({ mode: 'warn' }).policy);
    expect(v.n).toBe(2);
  });

  it('keeps failures only for the negative TTL and bounds its size', async () => {
    let now = 0;
    const store = memoryStore();
    for (let i = 0; i < 5; i++) store.put(D1, OMS, await testSigner().attest(D1));
    const v = counting();
    const make = (maxEntries: number) =>
      createChecker({
        store,
        verify: v.verify,
        engine: testEngine,
        now: () => now,
        config: { maxEntries, ttlMs: 1000, negativeTtlMs: 10, decisionTtlMs: 0 },
      });
    const p = admissionPolicy().policy;
    const roomy = make(100);
    await roomy.check(D1, p);
    expect(v.n).toBe(5);
    await roomy.check(D1, p);
    expect(v.n).toBe(5);
    now = 100;
    await roomy.check(D1, p);
    expect(v.n).toBe(10);
    // 5 keys cycling through 3 slots: every lookup misses, so the bound holds
    const tight = make(3);
    await tight.check(D1, p);
    await tight.check(D1, p);
    expect(v.n).toBe(20);
  });

  it('reuses a decision for decisionTtlMs, then sees new attestations', async () => {
    let now = 0;
    const store = memoryStore();
    const checker = createChecker({
      store,
      verify,
      engine: testEngine,
      now: () => now,
      config: { ...DEFAULT_CHECKER_CONFIG, decisionTtlMs: 2000 },
    });
    const p = admissionPolicy().policy;
    expect((await checker.check(D1, p)).allowed).toBe(false);
    store.put(D1, OMS, signedD1);
    expect((await checker.check(D1, p)).allowed).toBe(false);
    expect(store.calls).toBe(1);
    now = 2001;
    expect((await checker.check(D1, p)).allowed).toBe(true);
    expect(store.calls).toBe(2);
  });
});
