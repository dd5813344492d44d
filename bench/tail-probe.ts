/**
 * Where a latency tail comes from: one request per millisecond over keep-alive connections, each
 * latency recorded with the moment it was sent, then the slow ones (> 5 ms) counted per 100 ms
 * window. Runs against the webhook (as in bench/webhook.bench.ts) or, with --plain, against a bare
 * `https.createServer` that only answers, to tell the server's tail from the machine's.
 *
 *   node bench/tail-probe.ts [--plain] [--path=/validate|/livez] [--seconds=20]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signedStoreAndPolicy } from '../webhook/test/bench-fixture.ts';
import { imageVolume, podSpec, review, workload } from '../webhook/test/reviews.ts';
import { listeningPort, spawnWebhook } from '../webhook/test/spawn-webhook.ts';
import { makeTlsFixture } from '../webhook/test/tls-fixture.ts';

const flag = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const plain = process.argv.includes('--plain');
const path = flag('path') ?? '/validate';
const seconds = Number(flag('seconds') ?? 20);
const digest = `sha256:${'1'.padStart(64, '0')}`;

const dir = mkdtempSync(join(tmpdir(), 'modelseal-tail-probe-'));
const tls = makeTlsFixture();
const { storeDir, policyFile } = await signedStoreAndPolicy(dir, [digest]);
const PLAIN_SERVER = `const { createServer } = require('node:https'); const { readFileSync } = require('node:fs');
const s = createServer({ cert: readFileSync(process.argv[1]), key: readFileSync(process.argv[2]) },
  (q, r) => { q.resume(); q.on('end', () => r.end('{}')); });
s.listen(0, '127.0.0.1', () => process.stderr.write('{"msg":"listening","port":' + s.address().port + '}\\n'));`;
const child: ChildProcess = plain
  ? spawn(process.execPath, ['-e', PLAIN_SERVER, tls.certFile, tls.keyFile], {
      stdio: ['ignore', 'ignore', 'pipe'],
    })
  : spawnWebhook({ tls, policyFile, storeDir, stdio: ['ignore', 'ignore', 'pipe'] });
const port = await listeningPort(child);

const body = JSON.stringify(review(workload('Pod', podSpec([imageVolume('m', `r.example/m@${digest}`)]))));
const agent = new Agent({ keepAlive: true, maxSockets: 10, ca: tls.ca });
const once = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const t0 = performance.now();
    const get = path === '/livez';
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        agent,
        method: get ? 'GET' : 'POST',
        headers: { 'content-type': 'application/json' },
      },
      (res) => res.resume().on('end', () => resolve(performance.now() - t0)),
    );
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
    req.end(get ? undefined : body);
  });

const samples: { at: number; ms: number }[] = [];
const pending: Promise<void>[] = [];
const start = performance.now();
for (let next = start + 1; next - start < seconds * 1000; next += 1) {
  const wait = next - performance.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  const at = performance.now() - start;
  pending.push(once().then((ms) => void samples.push({ at, ms })));
}
await Promise.all(pending);
agent.destroy();
child.kill();
tls.cleanup();
rmSync(dir, { recursive: true, force: true });

const sorted = samples.map((s) => s.ms).sort((a, b) => a - b);
const q = (p: number) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!.toFixed(2);
process.stdout.write(
  `${plain ? 'plain https server' : 'webhook'} ${path}: n=${sorted.length} p50 ${q(0.5)} p99 ${q(0.99)} p99.9 ${q(0.999)} max ${q(1)} ms\n`,
);
const windows = new Map<string, number>();
for (const s of samples) {
  if (s.ms <= 5) continue;
  const w = (Math.floor(s.at / 100) / 10).toFixed(1);
  windows.set(w, (windows.get(w) ?? 0) + 1);
}
process.stdout.write(
  `requests over 5 ms, by 100 ms window (second: count): ${[...windows].map(([w, n]) => `${w}:${n}`).join(' ') || 'none'}\n`,
);
