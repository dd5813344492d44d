/** Start-up checks in the engine: what the attestation gives, the container, the patch, /validate's rules. */
import { subjectDigestOf } from '@modelseal/manifest';
import jsonpatch from 'fast-json-patch';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseReview } from '../src/admission.ts';
import { createChecker } from '../src/checker.ts';
import { decide } from '../src/decide.ts';
import { realVerify } from '../src/engine.ts';
import { type MutateDeps, mutate } from '../src/mutate.ts';
import { planMutation } from '../src/mutation.ts';
import { toAdmissionPolicy } from '../src/policies.ts';
import { verifierArgs, verifierContainer, verifierName } from '../src/verifier.ts';
import { memoryStore } from './fakes.ts';
import { D1 } from './reviews.ts';
import { OMS, policyDoc, testEngine, testSigner } from './signing.ts';

const IMAGE = `registry.example.com/modelseal@sha256:${'e5'.repeat(32)}`;
const resources = [
  { name: 'config.json', algorithm: 'sha256', digest: '11'.repeat(32) },
  { name: 'model.safetensors', algorithm: 'sha256', digest: '22'.repeat(32) },
];
const DIGEST = `sha256:${subjectDigestOf(resources)}`;

type Json = Record<string, unknown>;

function pod(digest: string, initContainers?: Json[]): Json {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'ml', annotations: { 'modelseal.dev/model-digest.weights': digest } },
    spec: {
      ...(initContainers ? { initContainers } : {}),
      containers: [{ name: 'srv', image: 'srv' }],
      volumes: [{ name: 'weights', hostPath: { path: '/models/llama' } }],
    },
  };
}

const request = (object: Json) =>
  parseReview({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: { uid: 'u1', kind: { kind: 'Pod' }, namespace: 'ml', operation: 'CREATE', object },
  });

let deps: (mode?: string, extra?: Record<string, unknown>) => MutateDeps;

beforeAll(async () => {
  const signer = testSigner();
  const store = memoryStore();
  // a model_signing < 1.1 predicate: no ignore_paths recorded
  store.put(
    DIGEST,
    OMS,
    await signer.attest(DIGEST, OMS, {
      serialization: { method: 'files', hash_type: 'sha256', allow_symlinks: false },
      resources,
    }),
  );
  // D1's OMS attestation lists no resources: it says nothing about how D1 was computed
  store.put(D1, OMS, await signer.attest(D1));
  deps = (mode = 'enforce', extra = {}) => {
    const policy = toAdmissionPolicy(policyDoc('p', { k: signer }, { mode, ...extra }), 'test', testEngine);
    const checker = createChecker({ store, verify: realVerify, engine: testEngine, now: Date.now });
    return { policies: () => [policy], checker, deadlineMs: 5000, runtime: { image: IMAGE } };
  };
});

describe('start-up checks in the engine', () => {
  it('with tag pinning, one patch pins a modelcar-init and appends the check after it; the result validates', async () => {
    const d: MutateDeps = {
      ...deps('enforce', { match: { containers: { names: ['modelcar-init'] } } }),
      pin: { mode: 'patch', resolver: { resolve: async () => D1 } },
    };
    const object = pod(DIGEST, [{ name: 'modelcar-init', image: 'r.example.com/m:v1' }]);
    const m = await mutate(request(object), d);
    const ops = JSON.parse(Buffer.from(m.response.patch!, 'base64').toString());
    expect(ops.map((o: { op: string; path: string }) => `${o.op} ${o.path}`)).toEqual([
      'replace /spec/initContainers/0/image',
      'add /spec/initContainers/-',
    ]);
    const patched = jsonpatch.applyPatch(structuredClone(object), ops, true, false).newDocument as Json;
    const inits = (patched.spec as Json).initContainers as Json[];
    expect(inits.map((c) => [c.name, c.image])).toEqual([
      ['modelcar-init', `r.example.com/m:v1@${D1}`],
      [verifierName('weights', 0), IMAGE],
    ]);
    const v = await decide(request(patched), d);
    expect(v.allowed, JSON.stringify(v)).toBe(true);
  });

  it('an attestation without ignore_paths is checked with model_signing defaults (git paths, model.sig)', async () => {
    const m = await mutate(request(pod(DIGEST)), deps());
    const ops = JSON.parse(Buffer.from(m.response.patch!, 'base64').toString());
    expect(ops[0]).toMatchObject({ op: 'add', path: '/spec/initContainers' });
    const args: string[] = ops[0].value[0].args;
    expect(args.filter((a) => a.startsWith('--ignore-paths='))).toEqual(
      ['.git', '.gitattributes', '.github', '.gitignore', 'model.sig'].map((p) => `--ignore-paths=${p}`),
    );
    expect(JSON.parse(ops[0].value[0].env[0].value).resources).toEqual(resources);
    expect(m.injected).toBe(1);
  });

  it('a digest no OMS attestation can re-hash: RUNTIME_CHECK_UNAVAILABLE, denied under enforce, a warning under warn', async () => {
    const denied = await decide(request(pod(D1)), deps());
    expect(denied.allowed).toBe(false);
    expect(denied.status?.message).toContain('start-up check: RUNTIME_CHECK_UNAVAILABLE: ');
    const warned = await decide(request(pod(D1)), deps('warn'));
    expect(warned.allowed).toBe(true);
    expect(warned.warnings?.join('\n')).toContain('RUNTIME_CHECK_UNAVAILABLE');
    expect((await mutate(request(pod(D1)), deps())).response.patch).toBeUndefined();
  });

  it('/mutate never denies: a policy failure or a deadline injects nothing (the latter says why)', async () => {
    const failed = await mutate(request(pod(`sha256:${'0f'.repeat(32)}`)), deps());
    expect(failed.response).toEqual({ uid: 'u1', allowed: true });
    const d = deps();
    const hung = createChecker({
      store: { find: () => new Promise(() => {}) },
      verify: realVerify,
      engine: testEngine,
      now: Date.now,
    });
    const late = await mutate(request(pod(DIGEST)), { ...d, checker: hung, deadlineMs: 100 });
    expect(late.response.allowed).toBe(true);
    expect(late.response.patch).toBeUndefined();
    expect(late.response.warnings?.[0]).toContain('injected nothing: modelseal: DEADLINE_EXCEEDED');
    expect((await decide(request(pod(DIGEST)), { ...d, checker: hung, deadlineMs: 100 })).allowed).toBe(
      false,
    );
  });

  it('a service-account token mounted into the check (reinvoked ServiceAccount plugin) is taken out again', () => {
    const check = {
      volume: 'weights',
      policy: 'p',
      content: {
        digest: DIGEST,
        authority: 'k',
        resources: 2,
        serialization: {
          method: 'files' as const,
          hashType: 'sha256' as const,
          allowSymlinks: false,
          ignorePaths: [],
        },
      },
    };
    const c = verifierContainer(check, 0, { image: IMAGE });
    const withToken = {
      ...c,
      volumeMounts: [
        ...(c.volumeMounts as Json[]),
        {
          name: 'kube-api-access-x',
          mountPath: '/var/run/secrets/kubernetes.io/serviceaccount',
          readOnly: true,
        },
      ],
    };
    const plan = planMutation({ initContainers: [{ name: 'fetch' }, withToken] }, [c]);
    expect(plan.patch).toEqual([
      { op: 'replace', path: '/spec/initContainers', value: [{ name: 'fetch' }, c] },
    ]);
    expect(plan.injected).toEqual([]);
    expect(planMutation({ initContainers: [{ name: 'fetch' }, c] }, [c]).patch).toEqual([]);
  });

  it('shard serialization and symlinks come from the attestation into the arguments', () => {
    const args = verifierArgs(
      {
        volume: 'w',
        policy: 'p',
        content: {
          digest: DIGEST,
          authority: 'k',
          resources: 2,
          serialization: {
            method: 'shards',
            hashType: 'blake2b',
            allowSymlinks: true,
            ignorePaths: ['-x'],
            shardSize: 1000,
          },
        },
      },
      '/modelseal/volumes/w',
    );
    expect(args).toEqual(
      expect.arrayContaining([
        '--serialization=shards',
        '--hash=blake2b',
        '--shard-size=1000',
        '--allow-symlinks',
        '--ignore-paths=-x',
      ]),
    );
  });

  it('container names stay DNS labels and distinct for long volume names', () => {
    const a = verifierName('v'.repeat(60), 0);
    const b = verifierName(`${'v'.repeat(59)}w`, 0);
    expect(a.length).toBeLessThanOrEqual(63);
    expect(a).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    expect(a).not.toBe(b);
    expect(verifierName('weights', 1)).toBe('modelseal-verify-weights-2');
  });
});
