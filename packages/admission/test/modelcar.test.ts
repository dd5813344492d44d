/** Modelcars: containers whose image is the model, selected by `match.containers`. */
import { beforeAll, describe, expect, it } from 'vitest';
import { parseReview } from '../src/admission.ts';
import { createChecker } from '../src/checker.ts';
import { type DecideDeps, decide } from '../src/decide.ts';
import { realVerify } from '../src/engine.ts';
import { createExtractor } from '../src/extractor.ts';
import { toAdmissionPolicy } from '../src/policies.ts';
import type { AdmissionPolicy } from '../src/settings.ts';
import { memoryStore } from './fakes.ts';
import { D1, D2, review, WORKLOAD_KINDS, workload } from './reviews.ts';
import { OMS, policyDoc, type TestSigner, testEngine, testSigner } from './signing.ts';

let release: TestSigner;
let signedD1: Uint8Array;
beforeAll(async () => {
  release = testSigner();
  signedD1 = await release.attest(D1);
});

const policy = (containers: Record<string, unknown>, extra: Record<string, unknown> = {}): AdmissionPolicy =>
  toAdmissionPolicy(
    policyDoc('release-models', { 'release-key': release }, { match: { containers }, ...extra }),
    'test',
    testEngine,
  );

function deps(policies: AdmissionPolicy[]): DecideDeps {
  const store = memoryStore();
  store.put(D1, OMS, signedD1);
  const checker = createChecker({ store, verify: realVerify, engine: testEngine, now: Date.now });
  return { policies: () => policies, checker, deadlineMs: 2000 };
}

/** A KServe-style pod: the server, the modelcar beside it, the modelcar-init that pulls early. */
const kservePod = (modelImage: string, extra: Record<string, unknown> = {}) => ({
  initContainers: [{ name: 'modelcar-init', image: modelImage, command: ['sh', '-c', 'true'] }],
  containers: [
    { name: 'kserve-container', image: 'kserve/huggingfaceserver:v0.15.0' },
    { name: 'modelcar', image: modelImage },
  ],
  shareProcessNamespace: true,
  ...extra,
});

const admit = (spec: Record<string, unknown>, d: DecideDeps, kind = 'Pod') =>
  decide(parseReview(review(workload(kind, spec))), d);

describe('modelcar containers', () => {
  it.each(WORKLOAD_KINDS)(
    '%s: a signed pinned model image is allowed, an unsigned one denied',
    async (kind) => {
      const d = deps([policy({ names: ['modelcar', 'modelcar-init'] })]);
      const ok = await admit(kservePod(`registry.example.com/models/tiny:v1@${D1}`), d, kind);
      expect(ok.allowed, JSON.stringify(ok)).toBe(true);
      // one audit entry per container, keyed so that a volume of the same name cannot collide
      expect(Object.keys(ok.auditAnnotations ?? {}).sort()).toEqual([
        'release-models.container.modelcar',
        'release-models.container.modelcar-init',
      ]);
      const bad = await admit(kservePod(`registry.example.com/models/tiny@${D2}`), d, kind);
      expect(bad.allowed).toBe(false);
      const msg = bad.status!.message;
      expect(msg).toMatch(
        /\.containers\[1\] \(container modelcar, model registry\.example\.com\/models\/tiny@/,
      );
      expect(msg).toMatch(/\.initContainers\[0\] \(container modelcar-init/);
      expect(msg).toContain(`digest ${D2}`);
      expect(msg).toContain('ATTESTATION_MISSING');
    },
  );

  it('a tag-only model image is UNPINNED_MODEL with a pin hint; `unpinned: warn` warns', async () => {
    const tagged = kservePod('registry.example.com/models/tiny:v1');
    const denied = await admit(tagged, deps([policy({ names: ['modelcar'] })]));
    expect(denied.allowed).toBe(false);
    expect(denied.status!.message).toContain(
      'UNPINNED_MODEL: not pinned by digest; pin it: image: registry.example.com/models/tiny@sha256:<digest>',
    );
    const warned = await admit(tagged, deps([policy({ names: ['modelcar'] }, { unpinned: 'warn' })]));
    expect(warned.allowed).toBe(true);
    expect(warned.warnings?.[0]).toContain('UNPINNED_MODEL');
  });

  it('image globs compare the canonical repository, so respelling the host does not escape', async () => {
    const ex = createExtractor(
      policy({ images: ['registry.example.com/models/*', 'docker.io/library/m*'] }).settings,
    );
    const models = (image: string) =>
      ex.models(workload('Pod', { containers: [{ name: 'c', image }] })).map((m) => m.kind);
    expect(models('registry.example.com/models/tiny:v1')).toEqual(['unpinned']);
    expect(models(`REGISTRY.Example.com/models/tiny@${D1}`)).toEqual(['pinned']);
    expect(models('modelweights:latest')).toEqual(['unpinned']); // docker.io/library/modelweights
    expect(models('index.docker.io/library/mistral')).toEqual(['unpinned']);
    expect(models('registry.example.com/servers/vllm:v1')).toEqual([]);
    expect(models('ghcr.io/models/tiny:v1')).toEqual([]);
  });

  it('no containers are counted by default, and a counted one with a broken image is invalid', async () => {
    const d = deps([policy({})]);
    expect((await admit(kservePod(`registry.example.com/models/tiny@${D2}`), d)).allowed).toBe(true);
    const ex = createExtractor(policy({ names: ['modelcar'] }).settings);
    const [m] = ex.models(workload('Pod', { containers: [{ name: 'modelcar', image: 'Bad Image!' }] }));
    expect(m).toMatchObject({ kind: 'invalid', code: 'INVALID_MODEL_REFERENCE', container: true });
  });

  it('unpinned image references carry the JSON pointer a pin would replace', () => {
    const ex = createExtractor(policy({ names: ['modelcar*'] }).settings);
    const spec = {
      ...kservePod('r.example.com/m:v1'),
      volumes: [{ name: 'v', image: { reference: 'r.example.com/v:1' } }],
    };
    const pointers = ex
      .models(workload('Deployment', spec))
      .map((m) => (m.kind === 'unpinned' ? m.pointer : '-'));
    expect(pointers).toEqual([
      '/spec/template/spec/volumes/0/image/reference',
      '/spec/template/spec/initContainers/0/image',
      '/spec/template/spec/containers/1/image',
    ]);
  });

  it('a pod update that changes a modelcar image is checked; other pod updates are not', async () => {
    const d = deps([policy({ names: ['modelcar'] })]);
    const before = workload('Pod', kservePod(`registry.example.com/models/tiny@${D1}`));
    const update = (after: unknown, old: unknown = before) =>
      decide(
        parseReview({
          ...review(after as { kind: string }, { operation: 'UPDATE' }),
          request: { ...review(after as { kind: string }, { operation: 'UPDATE' }).request, oldObject: old },
        }),
        d,
      );
    const swapped = workload('Pod', {
      ...kservePod(`registry.example.com/models/tiny@${D1}`),
      containers: [
        { name: 'kserve-container', image: 'kserve/huggingfaceserver:v0.15.0' },
        { name: 'modelcar', image: `registry.example.com/models/tiny@${D2}` },
      ],
    });
    const denied = await update(swapped);
    expect(denied.allowed).toBe(false);
    expect(denied.status!.message).toContain(`digest ${D2}`);
    expect(denied.status!.message).not.toContain('modelcar-init');
    // unchanged images (a label change): nothing to check, even for a digest now unsigned
    const relabelled = workload('Pod', kservePod(`registry.example.com/models/tiny@${D2}`), { a: 'b' });
    expect((await update(relabelled, relabelled)).allowed).toBe(true);
    // without the old object every modelcar counts
    expect((await update(swapped, undefined)).allowed).toBe(false);
  });
});
