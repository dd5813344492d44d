import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  authFilePaths,
  dockerCredentials,
  normalizeAuthKey,
  parseAuthConfig,
  parseChallenges,
} from '../src/index.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'modelseal-creds-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const b64 = (s: string) => Buffer.from(s).toString('base64');
const write = (path: string, doc: unknown) => {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, typeof doc === 'string' ? doc : JSON.stringify(doc));
};

/** a docker-credential-<name> on PATH: a shell script that logs its stdin and answers `answer` */
function helper(name: string, body: string): string {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  const file = join(bin, `docker-credential-${name}`);
  writeFileSync(
    file,
    `#!/bin/sh\n[ "$1" = get ] || exit 3\nread server\necho "$server" >> "${join(dir, `${name}.asked`)}"\n${body}\n`,
  );
  chmodSync(file, 0o755);
  return bin;
}

describe('docker/podman config files', () => {
  it('reads auths entries (base64 auth, username/password, identity and registry tokens)', async () => {
    write(join(dir, 'docker', 'config.json'), {
      auths: {
        'https://index.docker.io/v1/': { auth: b64('hubuser:hubpass') },
        'reg.example.com:5000': { username: 'u', password: 'p:with:colons' },
        'https://id.example.com': { identitytoken: 'refresh-123' },
        'tok.example.com': { registrytoken: 'bearer-456' },
      },
    });
    const creds = dockerCredentials({ env: { DOCKER_CONFIG: join(dir, 'docker') }, home: dir });
    expect(await creds('docker.io', 'library/ubuntu')).toEqual({
      kind: 'basic',
      username: 'hubuser',
      password: 'hubpass',
    });
    expect(await creds('reg.example.com:5000', 'x')).toEqual({
      kind: 'basic',
      username: 'u',
      password: 'p:with:colons',
    });
    expect(await creds('id.example.com', 'x')).toEqual({ kind: 'identity-token', token: 'refresh-123' });
    expect(await creds('tok.example.com', 'x')).toEqual({ kind: 'registry-token', token: 'bearer-456' });
    expect(await creds('other.example.com', 'x')).toBeUndefined();
  });

  it('searches REGISTRY_AUTH_FILE, then $XDG_RUNTIME_DIR/containers/auth.json, then docker; the first with an entry wins', async () => {
    const env = {
      REGISTRY_AUTH_FILE: join(dir, 'a.json'),
      XDG_RUNTIME_DIR: join(dir, 'run'),
      DOCKER_CONFIG: join(dir, 'docker'),
    };
    expect(authFilePaths(env, dir)).toEqual([
      join(dir, 'a.json'),
      join(dir, 'run', 'containers', 'auth.json'),
      join(dir, '.config', 'containers', 'auth.json'),
      join(dir, 'docker', 'config.json'),
    ]);
    write(join(dir, 'a.json'), { auths: { 'one.io': { auth: b64('a:1') } } });
    write(join(dir, 'run', 'containers', 'auth.json'), {
      auths: { 'one.io': { auth: b64('b:2') }, 'two.io': { auth: b64('b:3') } },
    });
    write(join(dir, 'docker', 'config.json'), { auths: { 'three.io': { auth: b64('c:4') } } });
    const creds = dockerCredentials({ env, home: dir });
    expect(await creds('one.io', 'x')).toMatchObject({ username: 'a' });
    expect(await creds('two.io', 'x')).toMatchObject({ username: 'b', password: '3' });
    expect(await creds('three.io', 'x')).toMatchObject({ username: 'c' });
  });

  it('matches podman namespace keys, longest first', async () => {
    write(join(dir, 'auth.json'), {
      auths: { 'quay.io': { auth: b64('all:1') }, 'quay.io/team': { auth: b64('team:2') } },
    });
    const creds = dockerCredentials({ env: { REGISTRY_AUTH_FILE: join(dir, 'auth.json') }, home: dir });
    expect(await creds('quay.io', 'team/model')).toMatchObject({ username: 'team' });
    expect(await creds('quay.io', 'teamx/model')).toMatchObject({ username: 'all' });
  });

  it('runs credHelpers for their registry and credsStore for the rest, with the server URL on stdin', async () => {
    const bin = helper('ecr', `printf '{"ServerURL":"%s","Username":"AWS","Secret":"ecr-secret"}' "$server"`);
    helper('desktop', `printf '{"Username":"<token>","Secret":"desk-refresh"}'`);
    write(join(dir, 'docker', 'config.json'), {
      credsStore: 'desktop',
      credHelpers: { '123.dkr.ecr.example.com': 'ecr' },
    });
    const creds = dockerCredentials({
      env: { DOCKER_CONFIG: join(dir, 'docker'), PATH: `${bin}:/usr/bin:/bin` },
      home: dir,
    });
    expect(await creds('123.dkr.ecr.example.com', 'm')).toEqual({
      kind: 'basic',
      username: 'AWS',
      password: 'ecr-secret',
    });
    expect(await creds('docker.io', 'library/x')).toEqual({ kind: 'identity-token', token: 'desk-refresh' });
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(join(dir, 'ecr.asked'), 'utf8').trim()).toBe('123.dkr.ecr.example.com');
    expect(readFileSync(join(dir, 'desktop.asked'), 'utf8').trim()).toBe('https://index.docker.io/v1/');
  });

  it('falls back to the auths entry when the helper has no credentials', async () => {
    const bin = helper('empty', 'echo "credentials not found in native keychain"; exit 1');
    write(join(dir, 'docker', 'config.json'), {
      credsStore: 'empty',
      auths: { 'r.io': { auth: b64('f:b') } },
    });
    const creds = dockerCredentials({ env: { DOCKER_CONFIG: join(dir, 'docker'), PATH: bin }, home: dir });
    expect(await creds('r.io', 'x')).toEqual({ kind: 'basic', username: 'f', password: 'b' });
    expect(await creds('s.io', 'x')).toBeUndefined();
  });

  it('bounds a hanging helper with a timeout and never echoes what a failing helper printed', async () => {
    const bin = helper('hang', 'sleep 30');
    helper('loud', 'echo "leaked-secret-value"; exit 2');
    write(join(dir, 'docker', 'config.json'), { credHelpers: { 'h.io': 'hang', 'l.io': 'loud' } });
    const creds = dockerCredentials({
      env: { DOCKER_CONFIG: join(dir, 'docker'), PATH: `${bin}:/usr/bin:/bin` },
      home: dir,
      helperTimeoutMs: 300,
    });
    const t0 = Date.now();
    const hung = await creds('h.io', 'x').catch((e) => e);
    expect(hung.code).toBe('REGISTRY_CREDENTIAL_HELPER_FAILED');
    expect(Date.now() - t0).toBeLessThan(3_000);
    const loud = await creds('l.io', 'x').catch((e) => e);
    expect(loud.code).toBe('REGISTRY_CREDENTIAL_HELPER_FAILED');
    expect(JSON.stringify(loud) + loud.message).not.toContain('leaked-secret-value');
  });

  it('a malformed config file is a coded error that does not quote the file', () => {
    const text = '{"auths": {"r.io": {"auth": "c2VjcmV0LXBhc3N3b3Jk"}} oops';
    let err: { code?: string; message?: string } = {};
    try {
      parseAuthConfig(new TextEncoder().encode(text), '/x/config.json');
    } catch (e) {
      err = e as typeof err;
    }
    expect(err.code).toBe('REGISTRY_AUTH_CONFIG_INVALID');
    expect(err.message).not.toContain('c2VjcmV0');
    let bad: { code?: string; message?: string } = {};
    try {
      parseAuthConfig(
        new TextEncoder().encode(JSON.stringify({ auths: { 'r.io': { auth: b64('nocolon') } } })),
        'f',
      );
    } catch (e) {
      bad = e as typeof bad;
    }
    expect(bad.code).toBe('REGISTRY_AUTH_CONFIG_INVALID');
    expect(bad.message).not.toContain('nocolon');
  });

  it('normalizes keys the way docker writes them', () => {
    expect(normalizeAuthKey('https://index.docker.io/v1/')).toBe('docker.io');
    expect(normalizeAuthKey('registry-1.docker.io')).toBe('docker.io');
    expect(normalizeAuthKey('http://Reg.Example.com:5000/')).toBe('reg.example.com:5000');
    expect(normalizeAuthKey('quay.io/org/')).toBe('quay.io/org');
  });
});

describe('WWW-Authenticate', () => {
  it('parses bearer and basic challenges, quoted values and several in one header', () => {
    expect(
      parseChallenges(
        'Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:a/b:pull"',
      ),
    ).toEqual([
      {
        scheme: 'bearer',
        params: {
          realm: 'https://auth.example.com/token',
          service: 'registry.example.com',
          scope: 'repository:a/b:pull',
        },
      },
    ]);
    expect(parseChallenges('Basic realm="x \\"q\\"", Bearer realm="https://t"')).toEqual([
      { scheme: 'basic', params: { realm: 'x "q"' } },
      { scheme: 'bearer', params: { realm: 'https://t' } },
    ]);
    expect(parseChallenges('Bearer realm="unterminated')).toEqual([]);
    expect(parseChallenges(`Bearer realm="${'a'.repeat(10_000)}"`)).toEqual([]);
    expect(parseChallenges(undefined)).toEqual([]);
  });
});
