import { type ChildProcess, type StdioOptions, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
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
