/** Helpers for the OCI end-to-end tests: the CLI without blocking, a registry proxy that can fail. */
import { spawn } from 'node:child_process';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../cli/src/bin.ts', import.meta.url));

export interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** The CLI as a process, without blocking this one (in-process servers must keep answering). */
export function cliAsync(args: string[], env: Record<string, string> = {}, cwd?: string): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve) => {
    const base = { ...process.env };
    delete base.MODELSEAL_KEY_PASSPHRASE;
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...base, ...env },
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d;
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr, ms: Date.now() - started });
    });
  });
}

export type ProxyMode = 'pass' | 'down' | 'slow' | 'garbage';

/**
 * A registry in front of a real one that can be switched to fail: `down` drops every connection,
 * `slow` answers after 6 s, `garbage` answers 200 with bytes that are no manifest or index.
 */
export async function registryProxy(target: string): Promise<{
  readonly host: string;
  mode: ProxyMode;
  close(): Promise<void>;
}> {
  const [targetHost, targetPort] = target.split(':');
  const state = { mode: 'pass' as ProxyMode };
  const timers = new Set<NodeJS.Timeout>();
  const forward = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
    const up = request(
      { host: targetHost, port: Number(targetPort), method: req.method, path: req.url, headers: req.headers },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  };
  const server: Server = createServer((req, res) => {
    switch (state.mode) {
      case 'pass':
        forward(req, res);
        return;
      case 'down':
        req.socket.destroy();
        return;
      case 'slow': {
        const t = setTimeout(() => {
          timers.delete(t);
          if (!res.destroyed) forward(req, res);
        }, 6_000);
        timers.add(t);
        return;
      }
      case 'garbage':
        res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' });
        res.end('<html>{{{ not a manifest');
        return;
      default:
        state.mode satisfies never;
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    get mode() {
      return state.mode;
    },
    set mode(m: ProxyMode) {
      state.mode = m;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const t of timers) clearTimeout(t);
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
