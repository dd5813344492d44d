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
}): ChildProcess {
  return spawn(
    process.execPath,
    [
      MAIN,
      ...['--tls-cert', o.tls.certFile, '--tls-key', o.tls.keyFile],
      ...['--port', '0', '--host', '127.0.0.1'],
      ...['--policy-file', o.policyFile, '--store-dir', o.storeDir],
    ],
    { stdio: o.stdio },
  );
}
