/**
 * AdmissionReviews over real HTTPS on 127.0.0.1 against the webhook server, with a CA made by
 * openssl in the test, real key-signed bundles in a directory store, the real policy engine.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { directoryStore } from '@modelseal/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CHECKER_CONFIG } from '../packages/admission/src/checker.ts';
import type { Store } from '../packages/admission/src/contract.ts';
import { realVerify } from '../packages/admission/src/engine.ts';
import { toAdmissionPolicy } from '../packages/admission/src/policies.ts';
import {
  D1,
  D2,
  D3,
  imageVolume,
  podSpec,
  review,
  vectorReview,
  WORKLOAD_KINDS,
  workload,
} from '../packages/admission/test/reviews.ts';
import {
  OMS,
  policyDoc,
  type TestSigner,
  testEngine,
  testSigner,
} from '../packages/admission/test/signing.ts';
import { startWebhook, staticPolicies } from '../webhook/src/app.ts';
import { silentLogger } from '../webhook/src/log.ts';
import type { RunningServer } from '../webhook/src/server.ts';
import { DEFAULT_SERVER_CONFIG } from '../webhook/src/server.ts';
import { makeTlsFixture, send, type TlsFixture } from '../webhook/test/tls-fixture.ts';

const verify = realVerify;
let signer: TestSigner;
let storeDir: string;

let tls: TlsFixture;
let app: RunningServer;
let slowStore: { delayMs: number };

beforeAll(async () => {
  tls = makeTlsFixture();
  signer = testSigner();
  storeDir = mkdtempSync(join(tmpdir(), 'modelseal-store-'));
  const dir = directoryStore(storeDir);
  await dir.put(D1, OMS, await signer.attest(D1));
  slowStore = { delayMs: 0 };
  const store: Store = {
    async find(subject, predicateType) {
      if (slowStore.delayMs > 0) await new Promise((r) => setTimeout(r, slowStore.delayMs));
      return dir.find(subject, predicateType);
    },
  };
  const keys = { 'release-key': signer };
  const policies = [
    toAdmissionPolicy(
      policyDoc('release-models', keys, { match: { namespaces: ['ml-*'] } }),
      'test',
      testEngine,
    ),
    toAdmissionPolicy(
      policyDoc('soft', keys, { mode: 'warn' }, 'ModelPolicy', 'sandbox'),
      'test',
      testEngine,
    ),
  ];
  app = await startWebhook(
    {
      server: {
        ...DEFAULT_SERVER_CONFIG,
        tls: { certFile: tls.certFile, keyFile: tls.keyFile },
        host: '127.0.0.1',
        port: 0,
        headersTimeoutMs: 600,
        requestTimeoutMs: 1500,
        keepAliveTimeoutMs: 2500,
        tlsPollMs: 200,
        drainTimeoutMs: 3000,
      },
      deadlineMs: 1000,
      cache: DEFAULT_CHECKER_CONFIG,
    },
    { policies: staticPolicies(policies), store, verify, engine: testEngine, log: silentLogger },
  );
});

afterAll(async () => {
  await app?.drain();
  tls?.cleanup();
  if (storeDir) rmSync(storeDir, { recursive: true, force: true });
});

const post = (body: unknown) =>
  send(app.port, tls.ca, '/validate', typeof body === 'string' ? body : JSON.stringify(body));
const alive = async () => expect((await send(app.port, tls.ca, '/livez')).status).toBe(200);

describe('AdmissionReview over HTTPS', () => {
  it('denies the shared vector with 403, echoing uid, apiVersion and kind', async () => {
    const r = await post(vectorReview());
    expect(r.status).toBe(200);
    const review = JSON.parse(r.body);
    expect(review.apiVersion).toBe('admission.k8s.io/v1');
    expect(review.kind).toBe('AdmissionReview');
    expect(review.response.uid).toBe('d4e7c1a2-5b3f-4e8d-a9c6-0f1e2d3c4b5a');
    expect(review.response.allowed).toBe(false);
    expect(review.response.status.code).toBe(403);
    expect(review.response.status.message).toMatch(
      /volume \S+ \(spec\.volumes\[0\]\), model \S*llama-3\.1-8b-instruct:v1\.2: policy release-models: UNPINNED_MODEL: not pinned by digest/,
    );
    expect(review.response.status.message).toContain('policy release-models');
  });

  it.each(WORKLOAD_KINDS)('%s: signed model allowed, unsigned denied', async (kind) => {
    const ok = JSON.parse(
      (
        await post(
          review(workload(kind, podSpec([imageVolume('m', `r.example/m@${D1}`)])), { uid: `ok-${kind}` }),
        )
      ).body,
    );
    expect(ok.response).toMatchObject({ uid: `ok-${kind}`, allowed: true });
    const bad = JSON.parse(
      (
        await post(
          review(workload(kind, podSpec([imageVolume('m', `r.example/m@${D2}`)])), { uid: `bad-${kind}` }),
        )
      ).body,
    );
    expect(bad.response).toMatchObject({ uid: `bad-${kind}`, allowed: false, status: { code: 403 } });
    expect(bad.response.status.message).toContain(`digest ${D2}`);
  });

  it('a namespaced warn policy answers allowed with short warnings', async () => {
    const r = JSON.parse(
      (
        await post(
          review(workload('Pod', podSpec([imageVolume('m', `r.example/m@${D2}`)])), { namespace: 'sandbox' }),
        )
      ).body,
    );
    expect(r.response.allowed).toBe(true);
    expect(r.response.warnings).toHaveLength(1);
    expect(r.response.warnings[0].length).toBeLessThanOrEqual(256);
    expect(r.response.warnings[0]).toContain(`digest ${D2}`);
  });

  it('a store slower than the deadline is denied in time, not timed out', async () => {
    slowStore.delayMs = 3000;
    try {
      const t0 = Date.now();
      const r = JSON.parse(
        (await post(review(workload('Pod', podSpec([imageVolume('m', `r.example/m@${D3}`)]))))).body,
      );
      expect(Date.now() - t0).toBeLessThan(2500);
      expect(r.response.allowed).toBe(false);
      expect(r.response.status.message).toContain('DEADLINE_EXCEEDED');
    } finally {
      slowStore.delayMs = 0;
    }
  });
});

describe('hostile requests get a clean answer and the server survives', () => {
  const review1 = { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' };
  it.each([
    { name: 'non-JSON', body: 'this is not json', code: 'JSON_MALFORMED' },
    { name: 'truncated JSON', body: JSON.stringify(vectorReview()).slice(0, 500), code: 'JSON_MALFORMED' },
    { name: 'empty body', body: '', code: 'JSON_EMPTY' },
    {
      name: 'wrong apiVersion',
      body: JSON.stringify({ ...vectorReview(), apiVersion: 'admission.k8s.io/v1beta1' }),
      code: 'REVIEW_WRONG_VERSION',
    },
    {
      name: 'wrong kind',
      body: JSON.stringify({ ...vectorReview(), kind: 'Pod' }),
      code: 'REVIEW_WRONG_VERSION',
    },
    { name: 'no request', body: JSON.stringify(review1), code: 'REVIEW_NO_REQUEST' },
    { name: 'bad uid', body: JSON.stringify({ ...review1, request: { uid: 42 } }), code: 'REVIEW_BAD_UID' },
    { name: 'array', body: '[1,2,3]', code: 'REVIEW_NOT_OBJECT' },
    { name: 'deep nesting', body: `${'['.repeat(5000)}${']'.repeat(5000)}`, code: 'JSON_TOO_DEEP' },
  ])('$name -> 400 $code', async ({ body, code }) => {
    const r = await post(body);
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body).error.code).toBe(code);
    await alive();
  });

  it('bodies over 3 MiB get 413 or a closed connection', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024 + 10, 0x20);
    const r = await post(big);
    expect([0, 413]).toContain(r.status);
    const chunked = await send(app.port, tls.ca, '/validate', big, {
      headers: { 'transfer-encoding': 'chunked' },
    });
    expect([0, 413]).toContain(chunked.status);
    await alive();
  });

  it('wrong method and unknown path', async () => {
    expect((await send(app.port, tls.ca, '/validate')).status).toBe(405);
    expect((await send(app.port, tls.ca, '/nope')).status).toBe(404);
  });

  it('a slow-loris client is cut off', async () => {
    const socket = connect({ host: '127.0.0.1', port: app.port, ca: tls.ca, servername: 'localhost' });
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', () => resolve());
      socket.once('error', reject);
    });
    const t0 = Date.now();
    socket.write('POST /validate HTTP/1.1\r\nHost: x\r\n');
    const drip = setInterval(() => socket.writable && socket.write('X-a: b\r\n'), 100);
    let answer = '';
    socket.on('data', (d: Buffer) => {
      answer += d.toString();
    });
    const closedAfter = await new Promise<number>((resolve) => {
      socket.on('close', () => resolve(Date.now() - t0));
      socket.on('error', () => {});
      setTimeout(() => resolve(-1), 8000);
    });
    clearInterval(drip);
    socket.destroy();
    expect(closedAfter).toBeGreaterThan(0);
    expect(closedAfter).toBeLessThan(5000);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    await alive();
  });
});

describe('keep-alive', () => {
  it("by default outlives the API server's 90 s idle timeout, so the client closes first", () => {
    expect(DEFAULT_SERVER_CONFIG.keepAliveTimeoutMs).toBeGreaterThan(90_000);
  });

  it('an idle connection stays usable until keepAliveTimeoutMs, then the server closes it', async () => {
    const socket = connect({ host: '127.0.0.1', port: app.port, ca: tls.ca, servername: 'localhost' });
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', () => resolve());
      socket.once('error', reject);
    });
    let answers = '';
    socket.on('data', (d: Buffer) => {
      answers += d.toString();
    });
    const closed = new Promise<number>((resolve) => socket.on('close', () => resolve(Date.now())));
    socket.write('GET /livez HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise((r) => setTimeout(r, 1500));
    // 1.5 s idle, well inside the 2.5 s this server is configured with
    socket.write('GET /livez HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise((r) => setTimeout(r, 200));
    const lastUse = Date.now();
    expect(answers.match(/HTTP\/1\.1 200/g)).toHaveLength(2);
    const idleFor =
      (await Promise.race([closed, new Promise<number>((r) => setTimeout(() => r(-1), 8000))])) - lastUse;
    socket.destroy();
    // Node closes keepAliveTimeout plus up to ~1 s after the last response
    expect(idleFor).toBeGreaterThan(2000);
    expect(idleFor).toBeLessThan(4500);
  });
});

describe('operations', () => {
  it('exposes readiness and Prometheus metrics', async () => {
    expect((await send(app.port, tls.ca, '/readyz')).status).toBe(200);
    const m = (await send(app.port, tls.ca, '/metrics')).body;
    expect(m).toMatch(/modelseal_admission_decisions_total\{result="denied"\} [1-9]/);
    expect(m).toMatch(/modelseal_admission_decisions_total\{result="allowed"\} [1-9]/);
    expect(m).toMatch(/modelseal_admission_duration_seconds_count [1-9]/);
    expect(m).toMatch(/modelseal_http_requests_total\{path="\/validate",code="400"\} [1-9]/);
    expect(m).toContain('modelseal_verify_cache_hits_total');
    expect(m).toContain('modelseal_store_errors_total');
  });

  it('reloads a renewed certificate without dropping open connections', async () => {
    const keepAlive = new Agent({ keepAlive: true, maxSockets: 1, ca: tls.ca });
    const before = await send(app.port, tls.ca, '/livez', undefined, { agent: keepAlive });
    expect(before.peerCN).toBe('modelseal-webhook');
    tls.reissue('modelseal-webhook-renewed');
    let cn: string | undefined;
    for (let i = 0; i < 50 && cn !== 'modelseal-webhook-renewed'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      cn = (await send(app.port, tls.ca, '/livez')).peerCN;
    }
    expect(cn).toBe('modelseal-webhook-renewed');
    // the connection opened before the reload still serves, on its original session
    const same = await send(app.port, tls.ca, '/livez', undefined, { agent: keepAlive });
    expect(same.status).toBe(200);
    expect(same.peerCN).toBe('modelseal-webhook');
    keepAlive.destroy();
  });

  it('drain answers the request in flight, then refuses new connections', async () => {
    const dir = directoryStore(storeDir);
    const store: Store = {
      find: async (s) => {
        await new Promise((r) => setTimeout(r, 300));
        return dir.find(s);
      },
    };
    const policy = toAdmissionPolicy(policyDoc('p', { 'release-key': signer }), 'test', testEngine);
    const second = await startWebhook(
      {
        server: {
          ...DEFAULT_SERVER_CONFIG,
          tls: { certFile: tls.certFile, keyFile: tls.keyFile },
          host: '127.0.0.1',
          port: 0,
        },
        deadlineMs: 2000,
        cache: DEFAULT_CHECKER_CONFIG,
      },
      {
        policies: staticPolicies([policy]),
        store,
        verify,
        engine: testEngine,
        log: silentLogger,
      },
    );
    const body = JSON.stringify(review(workload('Pod', podSpec([imageVolume('m', `r.example/m@${D1}`)]))));
    const inflight = send(second.port, tls.ca, '/validate', body);
    // the store holds the request 300 ms: drain starts while it is in flight
    await new Promise((r) => setTimeout(r, 150));
    await second.drain();
    const r = await inflight;
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body).response.allowed).toBe(true);
    await expect(send(second.port, tls.ca, '/livez')).rejects.toThrow(/ECONNREFUSED/);
  });
});
