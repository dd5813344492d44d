/**
 * What a pod author reads, over HTTPS from the webhook binary: each model named once (volume,
 * model, digest), the digest once per model, warnings that keep the digest, "no digest declared"
 * for a PVC, a precise answer for an encoded request.object, and none of the server's file paths.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { directoryStore } from '@modelseal/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { D1, D2, imageVolume, podSpec, review, workload } from '../packages/admission/test/reviews.ts';
import { OMS, policyDoc, SLSA, testSigner } from '../packages/admission/test/signing.ts';
import { listeningPort, spawnWebhook, stopWebhook } from '../webhook/test/spawn-webhook.ts';
import { makeTlsFixture, send, type TlsFixture } from '../webhook/test/tls-fixture.ts';

let dir: string;
let tls: TlsFixture;
let child: ChildProcess;
let port: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'modelseal-msg-'));
  tls = makeTlsFixture();
  const release = testSigner();
  const stranger = testSigner();
  const storeDir = join(dir, 'store');
  const store = directoryStore(storeDir);
  // D1: signed by a key no policy trusts; D2: a stored file that is no bundle at all
  await store.put(D1, OMS, await stranger.attest(D1));
  mkdirSync(join(storeDir, 'sha256', D2.slice(7)), { recursive: true });
  writeFileSync(join(storeDir, 'sha256', D2.slice(7), 'broken.sigstore.json'), 'not json');
  const keys = { 'release-key': release };
  const match = (ns: string) => ({ namespaces: [ns], volumes: { names: ['data'] } });
  const policies = [
    policyDoc('release', keys, {
      match: match('ml'),
      require: [{ predicateType: OMS }, { predicateType: SLSA }],
    }),
    policyDoc('second', keys, { match: match('ml') }),
    policyDoc('watch', keys, { mode: 'warn', match: match('ml-warn') }),
  ];
  mkdirSync(join(dir, 'policies'));
  policies.forEach((p, i) => {
    writeFileSync(join(dir, 'policies', `${i}.json`), JSON.stringify(p));
  });
  child = spawnWebhook({
    tls,
    policyFile: join(dir, 'policies'),
    storeDir,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  port = await listeningPort(child);
}, 60_000);

afterAll(async () => {
  await stopWebhook(child);
  tls?.cleanup();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function admit(body: unknown) {
  const r = await send(port, tls.ca, '/validate', JSON.stringify(body));
  expect(r.status).toBe(200);
  return JSON.parse(r.body).response as {
    allowed: boolean;
    status?: { message: string };
    warnings?: string[];
  };
}

const count = (s: string, part: string) => s.split(part).length - 1;
const pod = () =>
  workload(
    'Pod',
    podSpec([
      imageVolume('weights', `r.example/llm@${D1}`),
      imageVolume('tokenizer', `r.example/tok@${D2}`),
      { name: 'data', persistentVolumeClaim: { claimName: 'datasets' } },
    ]),
  );

describe('messages over HTTPS', () => {
  it('a deny names each model once, with its digest once, and leaks no server path', async () => {
    const res = await admit(review(pod(), { namespace: 'ml' }));
    expect(res.allowed).toBe(false);
    const msg = res.status!.message;
    expect(msg).toContain(
      `volume weights (spec.volumes[0]), model r.example/llm, digest ${D1}: policy release:`,
    );
    expect(msg).toContain(
      `volume tokenizer (spec.volumes[1]), model r.example/tok, digest ${D2}: policy release:`,
    );
    // two policies deny the same model: still one label, one digest
    expect(count(msg, D1)).toBe(1);
    expect(count(msg, D2)).toBe(1);
    expect(count(msg, 'volume weights')).toBe(1);
    expect(msg).toContain('policy second:');
    expect(msg).toContain('KEY_NOT_TRUSTED');
    expect(msg).toContain('STORE_NOT_JSON');
    // the PVC has no digest: said as such, not as an image's "not pinned"
    expect(msg).toContain(
      'volume data (spec.volumes[2]), model pvc:datasets: policy release: UNPINNED_MODEL: no digest declared',
    );
    expect(msg).not.toContain('not pinned by digest');
    expect(msg).not.toContain('digest none');
    // the store's location is the server's business
    expect(msg).not.toContain(dir);
    expect(msg).not.toContain(tmpdir());
    expect(msg).not.toMatch(/(^|[\s"'(=])\/[a-z]/);
  });

  it('warnings keep the digest, one per model and policy, within 256 characters', async () => {
    const res = await admit(review(pod(), { namespace: 'ml-warn' }));
    expect(res.allowed).toBe(true);
    const warnings = res.warnings ?? [];
    expect(warnings).toHaveLength(3);
    for (const w of warnings) {
      expect(w.length).toBeLessThanOrEqual(256);
      expect(w).not.toContain(dir);
      expect(w).not.toMatch(/(^|[\s"'(=])\/[a-z]/);
    }
    expect(warnings[0]).toMatch(
      new RegExp(
        `^policy watch: volume weights, model r\\.example/llm, digest ${D1}: ATTESTATION_MISSING, KEY_NOT_TRUSTED: no verified `,
      ),
    );
    expect(warnings[1]).toContain(`digest ${D2}: ATTESTATION_MISSING, STORE_NOT_JSON: `);
    expect(warnings[2]).toContain('volume data, model pvc:datasets: UNPINNED_MODEL: no digest declared;');
  });

  it('request.object sent as a string is told precisely', async () => {
    const body = review(pod(), { namespace: 'ml' });
    const encoded = JSON.stringify(body.request.object);
    const res = await admit({ ...body, request: { ...body.request, object: encoded } });
    expect(res.allowed).toBe(false);
    expect(res.status!.message).toBe(
      `modelseal: REQUEST_OBJECT_INVALID: request.object of this Pod request is a string of ${encoded.length} characters, not a JSON object; the AdmissionReview must carry the Pod itself as an object, not encoded`,
    );
    const none = await admit({ ...body, request: { ...body.request, object: undefined } });
    expect(none.status!.message).toContain('REQUEST_NO_OBJECT');
  });
});
