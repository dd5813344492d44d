/**
 * Debian's docker-registry (Distribution 2.8) on 127.0.0.1, with its own config file, a temp
 * storage dir and (optionally) an htpasswd for basic auth and a TLS certificate.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';

export const REGISTRY_BIN = 'docker-registry';

export function hasBinary(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

/** vitest's skipIf wants a boolean; this also says why, once, on stderr */
export function missing(name: string): boolean {
  if (hasBinary(name)) return false;
  process.stderr.write(`skipping tests that need ${name}: not installed (scripts/ci-apt.sh installs it)\n`);
  return true;
}

export interface Distribution {
  /** `127.0.0.1:PORT` */
  readonly host: string;
  readonly dir: string;
  stop(): Promise<void>;
}

export interface DistributionOptions {
  readonly user?: { readonly name: string; readonly password: string };
  readonly tls?: { readonly certFile: string; readonly keyFile: string };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export async function startDistribution(opts: DistributionOptions = {}): Promise<Distribution> {
  const dir = mkdtempSync(join(tmpdir(), 'modelseal-registry-'));
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const lines = [
      'version: 0.1',
      'log:',
      '  level: error',
      '  accesslog:',
      '    disabled: true',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${join(dir, 'data')}`,
      '  delete:',
      '    enabled: true',
      'http:',
      `  addr: 127.0.0.1:${port}`,
      '  secret: modelseal-test-only',
    ];
    if (opts.tls)
      lines.push('  tls:', `    certificate: ${opts.tls.certFile}`, `    key: ${opts.tls.keyFile}`);
    if (opts.user) {
      // Distribution's htpasswd accepts bcrypt only ($2a$/$2b$/$2y$); cost 4 keeps tests fast
      writeFileSync(join(dir, 'htpasswd'), `${opts.user.name}:${bcrypt.hashSync(opts.user.password, 4)}\n`);
      lines.push('auth:', '  htpasswd:', '    realm: modelseal-test', `    path: ${join(dir, 'htpasswd')}`);
    }
    writeFileSync(join(dir, 'config.yml'), `${lines.join('\n')}\n`);
    const child = spawn(REGISTRY_BIN, ['serve', join(dir, 'config.yml')], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => {
      stderr = (stderr + c.toString()).slice(-4000);
    });
    const up = await waitUp(child, port, opts.tls !== undefined);
    if (up) {
      return {
        host: `127.0.0.1:${port}`,
        dir,
        stop: () => stop(child, dir),
      };
    }
    await stop(child, undefined);
    if (attempt >= 2) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`docker-registry did not start: ${stderr}`);
    }
  }
}

async function waitUp(child: ChildProcess, port: number, tls: boolean): Promise<boolean> {
  const { connect } = await import('node:net');
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) return false;
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return !tls || child.exitCode === null;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

function stop(child: ChildProcess, dir: string | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
      resolve();
    };
    if (child.exitCode !== null || child.signalCode !== null) {
      done();
      return;
    }
    child.once('exit', done);
    child.kill('SIGTERM');
  });
}
