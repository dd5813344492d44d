/**
 * The CLI against registries that fail: nothing listening, a 6 s answer, garbage. Every command
 * that takes a reference ends with a coded error (never a stack trace, never "nothing found").
 */

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliAsync } from './oci-support.ts';

const D = `sha256:${'ab'.repeat(32)}`;
const errorCode = (stderr: string) => /error\[([A-Z0-9_]+)\]/.exec(stderr)?.[1];

let tmp: string;
const servers: Server[] = [];
const timers = new Set<NodeJS.Timeout>();

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const s = createServer(handler);
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return `127.0.0.1:${(s.address() as AddressInfo).port}`;
}

/** a port nothing listens on: bound, then closed */
async function closedPort(): Promise<string> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return `127.0.0.1:${port}`;
}

let down: string;
let slow: string;
let garbage: string;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'modelseal-oci-hostile-'));
  const k = await cliAsync(['keygen', '--output-key-prefix', join(tmp, 'k')]);
  expect(k.status, k.stderr).toBe(0);
  down = await closedPort();
  slow = await serve((_req, res) => {
    const t = setTimeout(() => res.end('{}'), 6_000);
    timers.add(t);
  });
  garbage = await serve((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' });
    res.end('\u0000\u00ff<html> not a manifest');
  });
});

afterAll(async () => {
  for (const t of timers) clearTimeout(t);
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('CLI against failing registries', () => {
  const commands = (host: string): string[][] => [
    ['verify-attestation', `${host}/models/x@${D}`, '--key', join(tmp, 'k.pub'), '--type', 'oms'],
    ['sign', `${host}/models/x:v1`, '--key', join(tmp, 'k.key')],
    ['verify', `${host}/models/x:v1`, '--key', join(tmp, 'k.pub')],
    ['digest', `${host}/models/x:v1`],
  ];

  it('a registry that is down: REGISTRY_UNREACHABLE', async () => {
    for (const args of commands(down)) {
      const r = await cliAsync([...args, '--allow-insecure-registry'], {}, tmp);
      expect(errorCode(r.stderr), `${args[0]}: ${r.stderr}`).toBe('REGISTRY_UNREACHABLE');
      expect(r.status).toBe(1);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('a registry that takes 6 s: REGISTRY_TIMEOUT at --registry-timeout 1', async () => {
    for (const args of commands(slow)) {
      const r = await cliAsync([...args, '--allow-insecure-registry', '--registry-timeout', '1'], {}, tmp);
      expect(errorCode(r.stderr), `${args[0]}: ${r.stderr}`).toBe('REGISTRY_TIMEOUT');
      expect(r.ms).toBeLessThan(5_000);
      // the message is the library's (no flags); the CLI adds which flag helps
      expect(r.stderr).toContain('hint: allow each registry request more time with --registry-timeout');
    }
  });

  it('a registry that answers garbage: a coded invalid-manifest error', async () => {
    for (const args of commands(garbage)) {
      const r = await cliAsync([...args, '--allow-insecure-registry'], {}, tmp);
      // by tag the body is hashed and parsed; by digest it must also hash to the digest asked for
      expect(['MANIFEST_INVALID', 'DIGEST_MISMATCH'], `${args[0]}: ${r.stderr}`).toContain(
        errorCode(r.stderr),
      );
      expect(r.status).not.toBe(0);
    }
  });

  it('plain HTTP is refused without --allow-insecure-registry, and off loopback even with it', async () => {
    const r = await cliAsync(['digest', `${garbage}/models/x:v1`], {}, tmp);
    // HTTPS to a plain-HTTP server: no TLS handshake
    expect(errorCode(r.stderr), r.stderr).toMatch(/^REGISTRY_/);
    const off = await cliAsync(
      ['digest', 'registry.invalid/models/x:v1', '--allow-insecure-registry'],
      {},
      tmp,
    );
    expect(errorCode(off.stderr), off.stderr).toBe('REGISTRY_UNREACHABLE');
  });

  it('a path that exists is never taken for a reference; a bad reference after oci:// is an input error', async () => {
    const local = await cliAsync(['digest', `${down}/models/x:v1`], {}, tmp);
    // nothing at that path and it looks like a pinned reference: it went to the (closed) registry
    expect(errorCode(local.stderr)).toBe('REGISTRY_UNREACHABLE');
    // the same text as a directory on disk: hashed as a path, the registry never asked
    mkdirSync(join(tmp, down, 'models', 'x:v1'), { recursive: true });
    writeFileSync(join(tmp, down, 'models', 'x:v1', 'w.bin'), 'w');
    const asPath = await cliAsync(['digest', `${down}/models/x:v1`, '-o', 'json'], {}, tmp);
    expect(asPath.status, asPath.stderr).toBe(0);
    expect(JSON.parse(asPath.stdout).resources).toHaveLength(1);
    const typo = await cliAsync(['digest', 'models.v2/llama'], {}, tmp);
    expect(errorCode(typo.stderr)).toBe('MODEL_NOT_FOUND');
    const bad = await cliAsync(['digest', 'oci://Not A Reference'], {}, tmp);
    expect(errorCode(bad.stderr)).toBe('OCI_BAD_REFERENCE');
    expect(bad.status).toBe(6);
  });
});
