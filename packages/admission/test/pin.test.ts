/** /mutate pinning tags: the patch applies, then validates; annotate only annotates; failures leave the tag. */
import { NotFoundError } from '@modelseal/core';
import jsonpatch from 'fast-json-patch';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseReview } from '../src/admission.ts';
import { createChecker } from '../src/checker.ts';
import type { EvaluationClock } from '../src/contract.ts';
import { decide } from '../src/decide.ts';
import { realVerify } from '../src/engine.ts';
import { type MutateDeps, mutate } from '../src/mutate.ts';
import type { PinMode, TagResolver } from '../src/pin.ts';
import { toAdmissionPolicy } from '../src/policies.ts';
import { memoryStore } from './fakes.ts';
import { D1, D2, review, workload } from './reviews.ts';
import { OMS, policyDoc, type TestSigner, testEngine, testSigner } from './signing.ts';

// biome-ignore lint/suspicious/noExplicitAny: walked in assertions
type Json = Record<string, any>;

let release: TestSigner;
let signed: Uint8Array;
beforeAll(async () => {
  release = testSigner();
  signed = await release.attest(D1);
});

const TAGS: Record<string, string> = {
  'r.example.com/models/tiny:v1': D1,
  'r.example.com/models/unsigned:v1': D2,
};

function resolver(calls: string[] = [], delay = 0): TagResolver {
  return {
    async resolve(reference: string, _clock: EvaluationClock) {
      calls.push(reference);
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      const d = TAGS[reference];
      if (d === undefined)
        throw new NotFoundError({ code: 'MANIFEST_NOT_FOUND', message: `${reference}: no such tag` });
      return d;
    },
  };
}

function deps(mode: PinMode, pinResolver: TagResolver, deadlineMs = 2000): MutateDeps {
  const store = memoryStore();
  store.put(D1, OMS, signed);
  const policy = toAdmissionPolicy(
    policyDoc(
      'release-models',
      { 'release-key': release },
      { match: { containers: { names: ['modelcar'] } } },
    ),
    'test',
    testEngine,
  );
  const checker = createChecker({ store, verify: realVerify, engine: testEngine, now: Date.now });
  return { policies: () => [policy], checker, deadlineMs, pin: { mode, resolver: pinResolver } };
}

const pod = (volumeRef: string, modelcar?: string): Json =>
  workload('Pod', {
    containers: [
      { name: 'srv', image: 'srv:1' },
      ...(modelcar ? [{ name: 'modelcar', image: modelcar }] : []),
    ],
    volumes: [{ name: 'model', image: { reference: volumeRef } }],
  });

async function mutated(object: Json, d: MutateDeps) {
  const m = await mutate(parseReview(review(object as { kind: string })), d);
  expect(m.response.allowed).toBe(true);
  const ops = m.response.patch ? JSON.parse(Buffer.from(m.response.patch, 'base64').toString('utf8')) : [];
  const patched = jsonpatch.applyPatch(structuredClone(object), ops, true, false).newDocument as Json;
  return { m, ops, patched };
}

const validate = (object: Json, d: MutateDeps) => decide(parseReview(review(object as { kind: string })), d);

describe('pinning tags at /mutate', () => {
  it('patch: tag-only image volume and modelcar are pinned; the patched pod validates', async () => {
    const calls: string[] = [];
    const d = deps('patch', resolver(calls));
    const object = pod('r.example.com/models/tiny:v1', 'r.example.com/models/tiny:v1');
    expect((await validate(object, d)).allowed).toBe(false);
    const { m, ops, patched } = await mutated(object, d);
    expect(ops).toEqual([
      { op: 'replace', path: '/spec/volumes/0/image/reference', value: `r.example.com/models/tiny:v1@${D1}` },
      { op: 'replace', path: '/spec/containers/1/image', value: `r.example.com/models/tiny:v1@${D1}` },
    ]);
    expect(calls).toEqual(['r.example.com/models/tiny:v1']); // one resolution per reference
    expect(m.response.auditAnnotations?.['pin.model']).toBe(`r.example.com/models/tiny:v1 -> ${D1} (patch)`);
    expect(m.response.auditAnnotations?.['pin.container.modelcar']).toBeDefined();
    const v = await validate(patched, d);
    expect(v.allowed, JSON.stringify(v)).toBe(true);
    // reinvoked on the pinned pod: nothing left to do
    expect((await mutated(patched, d)).ops).toEqual([]);
  });

  it('patch: a pinned tag whose digest is unsigned still fails validation', async () => {
    const d = deps('patch', resolver());
    const { patched } = await mutated(pod('r.example.com/models/unsigned:v1'), d);
    expect(patched.spec.volumes[0].image.reference).toBe(`r.example.com/models/unsigned:v1@${D2}`);
    const v = await validate(patched, d);
    expect(v.allowed).toBe(false);
    expect(v.status!.message).toContain('ATTESTATION_MISSING');
  });

  it('annotate: the image stays a tag, an annotation records the digest, /validate still judges the tag', async () => {
    const d = deps('annotate', resolver());
    const object = pod('r.example.com/models/tiny:v1', 'r.example.com/models/tiny:v1');
    const { ops, patched } = await mutated(object, d);
    expect(ops.every((o: Json) => o.path.startsWith('/metadata/annotations'))).toBe(true);
    expect(patched.spec).toEqual(object.spec);
    expect(patched.metadata.annotations).toEqual({
      'modelseal.dev/resolved-digest.model': `r.example.com/models/tiny:v1@${D1}`,
      'modelseal.dev/resolved-digest.container.modelcar': `r.example.com/models/tiny:v1@${D1}`,
    });
    const v = await validate(patched, d);
    expect(v.allowed).toBe(false);
    expect(v.status!.message).toContain('UNPINNED_MODEL');
    // a pod without any annotations object gets one
    const bare = pod('r.example.com/models/tiny:v1');
    delete bare.metadata.annotations;
    expect((await mutated(bare, d)).ops).toEqual([
      {
        op: 'add',
        path: '/metadata/annotations',
        value: { 'modelseal.dev/resolved-digest.model': `r.example.com/models/tiny:v1@${D1}` },
      },
    ]);
  });

  it('a reference that cannot be resolved is left as a tag, with a warning; /validate denies it', async () => {
    const d = deps('patch', resolver());
    const { m, ops, patched } = await mutated(pod('r.example.com/models/gone:v1'), d);
    expect(ops).toEqual([]);
    expect(m.pins[0]?.failure?.code).toBe('MANIFEST_NOT_FOUND');
    expect(m.response.warnings?.[0]).toMatch(
      /^modelseal left spec\.volumes\[0\] unpinned: MANIFEST_NOT_FOUND/,
    );
    expect((await validate(patched, d)).status!.message).toContain('UNPINNED_MODEL');
  });

  it('a slow registry is waited for half the deadline, then the tag is left (PIN_TIMEOUT)', async () => {
    const d = deps('patch', resolver([], 5_000), 1000);
    const t0 = performance.now();
    const { m, ops } = await mutated(pod('r.example.com/models/tiny:v1'), d);
    const ms = performance.now() - t0;
    expect(ops).toEqual([]);
    expect(m.pins[0]?.failure?.code).toBe('PIN_TIMEOUT');
    expect(ms).toBeGreaterThanOrEqual(400);
    expect(ms).toBeLessThan(1000);
  });
});
