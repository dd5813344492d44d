/** The webhook binary as it runs in a pod: flags, JSON logs on stderr, HTTPS, SIGTERM drain. */
import { type ChildProcess, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { directoryStore } from '@modelseal/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { D1, D2, imageVolume, podSpec, review, workload } from '../packages/admission/test/reviews.ts';
import { OMS, policyDoc, testSigner } from '../packages/admission/test/signing.ts';
import { spawnWebhook } from '../webhook/test/spawn-webhook.ts';
import { makeTlsFixture, send, type TlsFixture } from '../webhook/test/tls-fixture.ts';

const main = fileURLToPath(new URL('../webhook/src/main.ts', import.meta.url));
let dir: string;
let tls: TlsFixture;
let child: ChildProcess | undefined;
let stderr = '';

function logs(): Record<string, unknown>[] {
  return stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));
}

async function waitFor<T>(f: () => T | undefined, what: string, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = f();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}; stderr:\n${stderr}`);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'modelseal-main-'));
  tls = makeTlsFixture();
  const signer = testSigner();
  await directoryStore(join(dir, 'store')).put(D1, OMS, await signer.attest(D1));
  writeFileSync(join(dir, 'policy.yaml'), stringify(policyDoc('release-models', { 'release-key': signer })));
});

afterAll(() => {
  child?.kill('SIGKILL');
  tls?.cleanup();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('webhook/src/main.ts', () => {
  it('refuses to start without TLS or a policy source (exit 2, coded JSON log)', () => {
    const r = spawnSync(process.execPath, [main], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(2);
    expect(JSON.parse(r.stderr.trim().split('\n').at(-1)!)).toMatchObject({
      level: 'error',
      code: 'TLS_REQUIRED',
    });
    const tlsArgs = ['--tls-cert', tls.certFile, '--tls-key', tls.keyFile];
    const withPolicy = [...tlsArgs, '--policy-file', dir];
    for (const [args, code] of [
      [[...tlsArgs, '--store-dir', dir], 'NO_POLICY_SOURCE'],
      [[...tlsArgs, '--kubernetes', '--exclude-namespaces', 'Kube_System'], 'BAD_EXCLUDE_NAMESPACES'],
      [[...tlsArgs, '--kubernetes', '--shutdown-delay-ms', '5s'], 'BAD_SHUTDOWN_DELAY'],
      // tag pinning: a mode it knows, and a registry repository to resolve tags in
      [[...withPolicy, '--store-dir', dir, '--pin-tags', 'always'], 'BAD_PIN_TAGS'],
      [[...withPolicy, '--store-dir', dir, '--pin-tags', 'patch'], 'PIN_TAGS_NEED_REGISTRY'],
      [
        [...withPolicy, '--store', 'oci://127.0.0.1:1/m', '--pin-tags=annotate', '--pin-cache-ms=-1'],
        'BAD_CACHE_TTL',
      ],
    ] as const) {
      const r = spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', timeout: 30_000 });
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toContain(code);
    }
  });

  it('serves decisions over HTTPS and drains on SIGTERM', async () => {
    child = spawnWebhook({
      tls,
      policyFile: join(dir, 'policy.yaml'),
      storeDir: join(dir, 'store'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    // 'close', not 'exit': only then has everything the process wrote to stderr arrived
    const exited = new Promise<number | null>((resolve) => child!.on('close', (code) => resolve(code)));
    const port = await waitFor(
      () => logs().find((l) => l.msg === 'listening')?.port as number | undefined,
      'listening',
    );
    expect((await send(port, tls.ca, '/readyz')).status).toBe(200);
    const ok = await send(
      port,
      tls.ca,
      '/validate',
      JSON.stringify(review(workload('Pod', podSpec([imageVolume('m', `r/m@${D1}`)])))),
    );
    expect(JSON.parse(ok.body).response.allowed).toBe(true);
    const bad = await send(
      port,
      tls.ca,
      '/validate',
      JSON.stringify(review(workload('Pod', podSpec([imageVolume('m', `r/m@${D2}`)])))),
    );
    expect(JSON.parse(bad.body).response.allowed).toBe(false);
    // the log line travels through a pipe and may arrive after the HTTP answer
    const decision = await waitFor(
      () => logs().find((l) => l.msg === 'admission decision' && l.allowed === false),
      'the denial logged',
    );
    expect(decision).toMatchObject({ kind: 'Pod', namespace: 'ml-serving' });
    // structured logs never carry bundle or key material
    expect(stderr).not.toMatch(/BEGIN|dsseEnvelope|"signatures"/);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(logs().map((l) => l.msg)).toEqual(
      expect.arrayContaining(['signal received, draining', 'drained']),
    );
  });
});
