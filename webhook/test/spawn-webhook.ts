import { type ChildProcess, type StdioOptions, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { PLAIN_RELEASE } from './helm.ts';
import type { TlsFixture } from './tls-fixture.ts';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

/** The webhook binary as a pod runs it, on an ephemeral loopback port, for tests and the benchmark. */
export function spawnWebhook(o: {
  tls: TlsFixture;
  policyFile: string;
  storeDir: string;
  stdio: StdioOptions;
  /** further flags, e.g. --deadline-ms */
  args?: readonly string[];
  env?: NodeJS.ProcessEnv;
}): ChildProcess {
  return spawn(
    process.execPath,
    [
      MAIN,
      ...['--tls-cert', o.tls.certFile, '--tls-key', o.tls.keyFile],
      ...['--port', '0', '--host', '127.0.0.1'],
      ...['--policy-file', o.policyFile, '--store-dir', o.storeDir],
      // no readiness period to wait out in tests that stop the server; the drain test sets its own
      ...(o.args?.some((a) => a.startsWith('--shutdown-delay-ms')) ? [] : ['--shutdown-delay-ms', '0']),
      ...(o.args ?? []),
    ],
    { stdio: o.stdio, ...(o.env ? { env: o.env } : {}) },
  );
}

/**
 * The port from the server's "listening" log line. After it, stderr is drained unread: per-request
 * log lines must not cost a load generator anything.
 */
export function listeningPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${buf}`)), 30_000);
    const onData = (d: Buffer) => {
      buf += d.toString();
      const m = /"msg":"listening".*?"port":(\d+)/.exec(buf);
      if (m) {
        clearTimeout(timer);
        child.stderr!.off('data', onData);
        child.stderr!.resume();
        resolve(Number(m[1]));
      }
    };
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server exited ${code}: ${buf}`)));
  });
}

/** SIGTERM and wait for the exit (the server drains); nothing to do when it already exited. */
export async function stopWebhook(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/**
 * The webhook binary as the Helm chart runs it in a pod: the Deployment's container args, the
 * pod's mounts (the TLS Secret at its mountPath, the service account under /var/run/secrets) and
 * the in-cluster environment (KUBERNETES_SERVICE_HOST/PORT). The service account directory is
 * bind-mounted in a private mount namespace (`unshare`), so the host's /var/run is never touched.
 * Only --port changes (8443 -> 0): tests run side by side on one host.
 */
export function spawnAsChart(o: {
  tls: TlsFixture;
  apiServer: { readonly port: number; readonly ca: Buffer };
  stdio: StdioOptions;
}): { child: ChildProcess; args: readonly string[]; cleanup(): void } {
  const container = chartContainer();
  const mounts = new Map<string, string>([['tls', o.tls.dir]]);
  const hostPath = (arg: string) => {
    for (const m of container.volumeMounts) {
      const dir = mounts.get(m.name);
      if (dir === undefined) throw new Error(`no host directory for the chart's volume ${m.name}`);
      if (arg.includes(`=${m.mountPath}/`)) return arg.replace(`=${m.mountPath}/`, `=${dir}/`);
    }
    return arg;
  };
  // side by side on one host, and no readiness period to wait out when the test stops it
  const args = container.args.map((a) =>
    a.startsWith('--port=')
      ? '--port=0'
      : a.startsWith('--shutdown-delay-ms=')
        ? '--shutdown-delay-ms=0'
        : hostPath(a),
  );
  const sa = mkdtempSync(join(tmpdir(), 'modelseal-sa-'));
  const account = join(sa, 'secrets/kubernetes.io/serviceaccount');
  mkdirSync(account, { recursive: true });
  writeFileSync(join(account, 'token'), 'test-service-account-token');
  writeFileSync(join(account, 'ca.crt'), o.apiServer.ca);
  writeFileSync(join(account, 'namespace'), PLAIN_RELEASE.namespace);
  const child = spawn(
    'unshare',
    [
      ...unshareFlags(),
      'sh',
      '-c',
      'mount --bind "$0" "$(realpath /var/run)" && exec "$@"',
      sa,
      process.execPath,
      MAIN,
      ...args,
    ],
    {
      stdio: o.stdio,
      env: {
        ...process.env,
        KUBERNETES_SERVICE_HOST: '127.0.0.1',
        KUBERNETES_SERVICE_PORT: String(o.apiServer.port),
      },
    },
  );
  return { child, args, cleanup: () => rmSync(sa, { recursive: true, force: true }) };
}

/** Whether spawnAsChart can make its private mount namespace here (root, or user namespaces). */
export function canSpawnAsChart(): boolean {
  const r = spawnSync('unshare', [...unshareFlags(), 'true'], { timeout: 10_000 });
  return r.status === 0;
}

function unshareFlags(): string[] {
  return ['--mount', '--propagation', 'private', ...(process.getuid?.() === 0 ? [] : ['--map-root-user'])];
}

interface ChartContainer {
  readonly args: readonly string[];
  readonly volumeMounts: readonly { readonly name: string; readonly mountPath: string }[];
}

function chartContainer(): ChartContainer {
  // the plain manifests are `helm template` of the chart (a test keeps them equal)
  const plain = readFileSync(new URL('../../deploy/manifests/10-webhook.yaml', import.meta.url), 'utf8');
  const deployment = parseAllDocuments(plain)
    .map((d) => d.toJS())
    .find((d) => d?.kind === 'Deployment');
  const container = deployment?.spec?.template?.spec?.containers?.[0];
  if (!Array.isArray(container?.args)) throw new Error('the chart renders no webhook container args');
  return { args: container.args, volumeMounts: container.volumeMounts ?? [] };
}
