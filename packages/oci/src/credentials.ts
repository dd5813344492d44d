/**
 * Edge: the credentials a user has from `docker login` / `podman login`. Reads the config files
 * and runs `docker-credential-<name> get`; hands the client a CredentialResolver of plain values.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { InternalError, isRecord } from '@modelseal/core';
import type { Credential, CredentialResolver } from './auth.ts';
import { type AuthConfig, credentialSource, parseAuthConfig } from './docker-config.ts';

export interface DockerCredentialsOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly home?: string;
  /** a credential helper that has not answered by then is killed; default 10 s */
  readonly helperTimeoutMs?: number;
}

const MAX_HELPER_OUTPUT = 64 * 1024;

/** podman's search order, then docker's: the first file with an entry for the registry wins. */
export function authFilePaths(env: NodeJS.ProcessEnv, home: string): string[] {
  const paths: string[] = [];
  if (env.REGISTRY_AUTH_FILE) paths.push(env.REGISTRY_AUTH_FILE);
  if (env.XDG_RUNTIME_DIR) paths.push(join(env.XDG_RUNTIME_DIR, 'containers', 'auth.json'));
  paths.push(join(env.XDG_CONFIG_HOME || join(home, '.config'), 'containers', 'auth.json'));
  paths.push(join(env.DOCKER_CONFIG || join(home, '.docker'), 'config.json'));
  return paths;
}

function readConfig(path: string): AuthConfig | undefined {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new InternalError({
      code: 'REGISTRY_AUTH_CONFIG_UNREADABLE',
      message: `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`,
    });
  }
  return parseAuthConfig(bytes, path);
}

export function dockerCredentials(options: DockerCredentialsOptions = {}): CredentialResolver {
  const env = options.env ?? process.env;
  const home = options.home ?? homedir();
  const timeoutMs = options.helperTimeoutMs ?? 10_000;
  let configs: { path: string; config: AuthConfig }[] | undefined;
  return async (registry, repository) => {
    configs ??= authFilePaths(env, home).flatMap((path) => {
      const config = readConfig(path);
      return config ? [{ path, config }] : [];
    });
    for (const { config } of configs) {
      const source = credentialSource(config, registry, repository);
      if (source === undefined) continue;
      if (source.kind === 'entry') return source.credential;
      const got = await runHelper(source.helper, source.serverUrl, env, timeoutMs);
      if (got !== undefined) return got;
      if (source.fallback) return source.fallback;
    }
    return undefined;
  };
}

/** `docker-credential-<name> get`, server URL on stdin; undefined for "credentials not found". */
export function runHelper(
  helper: string,
  serverUrl: string,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<Credential | undefined> {
  const program = `docker-credential-${helper}`;
  const failed = (why: string) =>
    new InternalError({
      code: 'REGISTRY_CREDENTIAL_HELPER_FAILED',
      message: `${program} get: ${why}`,
      details: { helper },
    });
  return new Promise((resolve, reject) => {
    // its own process group, so a timeout ends whatever the helper started too
    const child = spawn(program, ['get'], { env, stdio: ['pipe', 'pipe', 'ignore'], detached: true });
    const kill = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    const out: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const timer = setTimeout(() => {
      kill();
      settle(() => reject(failed(`no answer within ${timeoutMs} ms`)));
    }, timeoutMs);
    child.on('error', (e: NodeJS.ErrnoException) =>
      settle(() => reject(failed(e.code === 'ENOENT' ? 'not found on PATH' : (e.code ?? 'cannot start')))),
    );
    child.stdout.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_HELPER_OUTPUT) {
        kill();
        settle(() => reject(failed('answered more than 64 KiB')));
        return;
      }
      out.push(c);
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(serverUrl);
    child.on('close', (code) =>
      settle(() => {
        const text = Buffer.concat(out).toString('utf8').trim();
        if (code !== 0) {
          // helpers say this on stdout with exit 1; the output is never echoed (it could hold a secret)
          if (/credentials not found/i.test(text)) resolve(undefined);
          else reject(failed(`exited with ${code}`));
          return;
        }
        let doc: unknown;
        try {
          doc = JSON.parse(text);
        } catch {
          reject(failed('answered something that is not JSON'));
          return;
        }
        if (!isRecord(doc) || typeof doc.Secret !== 'string' || doc.Secret === '') {
          reject(failed('answered without a Secret'));
          return;
        }
        const user = typeof doc.Username === 'string' ? doc.Username : '';
        resolve(
          user === '<token>' || user === ''
            ? { kind: 'identity-token', token: doc.Secret }
            : { kind: 'basic', username: user, password: doc.Secret },
        );
      }),
    );
  });
}
