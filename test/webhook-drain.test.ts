/**
 * SIGTERM under a bounded load, against the webhook binary over HTTPS on 127.0.0.1: /readyz fails
 * first, everything sent during the shutdown delay is answered, only then is the listener closed
 * (new connections refused), and requests in flight at that moment are still answered. No request
 * is refused before readiness turned, and none is dropped (reset, cut or answered with an error).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { directoryStore } from '@modelseal/store';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { D1, imageVolume, podSpec, review, workload } from '../packages/admission/test/reviews.ts';
import { OMS, policyDoc, SLSA, type TestSigner, testSigner } from '../packages/admission/test/signing.ts';
import { listeningPort, spawnWebhook } from '../webhook/test/spawn-webhook.ts';
import { makeTlsFixture, type TlsFixture } from '../webhook/test/tls-fixture.ts';

const DELAY_MS = 1500;
const DEADLINE_MS = 1200;
const lit = `[${Array.from({ length: 128 }, (_, i) => i).join(',')}]`;
const HEAVY_CEL = `${lit}.all(x, ${lit}.all(y, ${lit}.all(z, x + y + z >= 0)))`;
/** attested models for the slow pod: each one a CPU-heavy evaluation, so answers take ~the deadline */
const HEAVY = Array.from({ length: 20 }, (_, i) => `sha256:${(i + 1).toString(16).padStart(64, 'd')}`);

let dir: string;
let tls: TlsFixture;
let child: ChildProcess;
let stderr = '';
let signer: TestSigner;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'modelseal-drain-'));
  tls = makeTlsFixture();
  signer = testSigner();
  const store = directoryStore(join(dir, 'store'));
  await store.put(D1, OMS, await signer.attest(D1));
  for (const d of HEAVY) await store.put(d, SLSA, await signer.attest(d, SLSA, {}));
  const keys = { 'release-key': signer };
  mkdirSync(join(dir, 'policies'));
  writeFileSync(
    join(dir, 'policies', 'a.json'),
    JSON.stringify(policyDoc('release', keys, { match: { namespaces: ['ml'] } })),
  );
  writeFileSync(
    join(dir, 'policies', 'b.json'),
    JSON.stringify(
      policyDoc('slow', keys, {
        match: { namespaces: ['slow'] },
        require: [{ predicateType: SLSA, conditions: [HEAVY_CEL, `${HEAVY_CEL} && true`] }],
      }),
    ),
  );
}, 60_000);

afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  tls?.cleanup();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

type Outcome = { start: number; end: number; kind: 'answered' | 'refused' | 'dropped'; detail: string };

/** One request; ECONNREFUSED (the listener is gone) is told apart from everything else. */
function attempt(
  port: number,
  path: string,
  body: string | undefined,
  agent: Agent | false,
): Promise<Outcome> {
  const start = performance.now();
  return new Promise((resolve) => {
    const done = (kind: Outcome['kind'], detail: string) =>
      resolve({ start, end: performance.now(), kind, detail });
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        ca: tls.ca,
        method: body === undefined ? 'GET' : 'POST',
        agent,
        timeout: 10_000,
        headers: { 'content-type': 'application/json' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done('answered', `${res.statusCode} ${Buffer.concat(chunks).toString()}`));
        res.on('error', (e) => done('dropped', String(e)));
      },
    );
    // a connection that never became a TLS session never carried the request: a refusal (a
    // listener closing resets what is still in its accept queue); after it, any error is a drop
    let connected = false;
    req.on('socket', (s) => {
      if ((s as import('node:tls').TLSSocket).authorized) connected = true;
      s.once('secureConnect', () => {
        connected = true;
      });
    });
    req.on('timeout', () => req.destroy(new Error('client timeout')));
    req.on('error', (e: NodeJS.ErrnoException) =>
      done(e.code === 'ECONNREFUSED' || !connected ? 'refused' : 'dropped', `${e.code ?? ''} ${e.message}`),
    );
    req.end(body);
  });
}

it('SIGTERM: readiness fails first, nothing is refused before it turned, nothing is dropped', async () => {
  child = spawnWebhook({
    tls,
    policyFile: join(dir, 'policies'),
    storeDir: join(dir, 'store'),
    stdio: ['ignore', 'ignore', 'pipe'],
    args: ['--shutdown-delay-ms', String(DELAY_MS), '--deadline-ms', String(DEADLINE_MS)],
  });
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const closed = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  // our collector stays attached: the log lines after 'listening' are checked below
  const port = await listeningPort(child);

  const fast = JSON.stringify(
    review(workload('Pod', podSpec([imageVolume('m', `r/m@${D1}`)])), { namespace: 'ml' }),
  );
  const slow = JSON.stringify(
    review(workload('Pod', podSpec(HEAVY.map((d, i) => imageVolume(`m${i}`, `r/m@${d}`)))), {
      namespace: 'slow',
    }),
  );
  const outcomes: (Outcome & { client: string })[] = [];
  const readiness: { at: number; end: number; status: number | 'refused' }[] = [];
  const t0 = performance.now();
  // bounded: each client stops at its first refusal, after 400 requests, or after 20 s
  const client = async (name: string, body: string, agent: Agent | false) => {
    for (let i = 0; i < 400 && performance.now() - t0 < 20_000; i++) {
      const o = await attempt(port, '/validate', body, agent);
      outcomes.push({ ...o, client: name });
      if (o.kind !== 'answered') return;
    }
  };
  const keepAlive = new Agent({ keepAlive: true, maxSockets: 1 });
  const clients = [
    client('new-conn-1', fast, false),
    client('new-conn-2', fast, false),
    client('keep-alive', fast, keepAlive),
    client('slow-1', slow, false),
    client('slow-2', slow, false),
  ];
  const probe = (async () => {
    for (let i = 0; i < 1000 && performance.now() - t0 < 20_000; i++) {
      const o = await attempt(port, '/readyz', undefined, false);
      const status = o.kind === 'refused' ? 'refused' : Number(o.detail.split(' ')[0]);
      readiness.push({ at: o.start, end: o.end, status });
      if (status === 'refused') return;
      await new Promise((r) => setTimeout(r, 25));
    }
  })();
  await new Promise((r) => setTimeout(r, 800));
  const sigterm = performance.now();
  child.kill('SIGTERM');
  await Promise.all([...clients, probe]);
  keepAlive.destroy();
  expect(await closed).toBe(0);

  const dropped = outcomes.filter((o) => o.kind === 'dropped');
  expect(dropped, JSON.stringify(dropped.slice(0, 3))).toEqual([]);
  const answered = outcomes.filter((o) => o.kind === 'answered');
  for (const o of answered) expect(o.detail.startsWith('200 ')).toBe(true);

  const turned = readiness.find((r) => r.status === 503);
  expect(turned, 'readiness never failed').toBeDefined();
  expect(readiness.filter((r) => r.end < sigterm).every((r) => r.status === 200)).toBe(true);
  // the probe runs every ~25 ms; under the CPU-heavy load an answer can wait for the event loop,
  // but the 503 is seen well inside the delay
  expect(turned!.end - sigterm).toBeLessThan(DELAY_MS);
  const refused = outcomes.filter((o) => o.kind === 'refused');
  expect(refused.length).toBeGreaterThan(0);
  const firstRefused = Math.min(
    ...refused.map((o) => o.start),
    ...readiness.filter((r) => r.status === 'refused').map((r) => r.at),
  );
  // nothing refused before readiness was seen to turn, nor before the delay after the signal ran out
  expect(firstRefused).toBeGreaterThan(turned!.end);
  expect(firstRefused - sigterm).toBeGreaterThan(DELAY_MS * 0.9);
  // the delay was served: requests sent after the signal were answered, on every kind of connection
  const during = answered.filter((o) => o.start > sigterm);
  expect(new Set(during.map((o) => o.client))).toEqual(
    new Set(['new-conn-1', 'new-conn-2', 'keep-alive', 'slow-1', 'slow-2']),
  );
  // requests in flight when the listener closed were still answered
  const inFlight = answered.filter((o) => o.start < firstRefused && o.end > firstRefused);
  expect(inFlight.length).toBeGreaterThan(0);
  console.info(
    `drain: ${answered.length} answered (${during.length} after SIGTERM, ${inFlight.length} in flight at the close), ` +
      `first 503 answered ${Math.round(turned!.end - sigterm)} ms after SIGTERM, first refusal ${Math.round(firstRefused - sigterm)} ms after it, ${dropped.length} dropped`,
  );

  const msgs = stderr
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l).msg as string);
  const order = [
    'signal received, draining',
    'readiness failed; answering until the shutdown delay ends',
    'draining',
    'drained',
  ];
  expect(order.map((m) => msgs.indexOf(m))).toEqual(
    [...order.map((m) => msgs.indexOf(m))].sort((a, b) => a - b),
  );
  expect(order.every((m) => msgs.includes(m))).toBe(true);
}, 60_000);
