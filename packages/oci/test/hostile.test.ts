/** Registries that are down, slow, lying or huge: every case ends in a coded error, in bounded time. */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MEDIA, ociStore, parseReference, registryClient } from '../src/index.ts';
import { startFakeRegistry } from './support/fake-registry.ts';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (s) =>
        new Promise<void>((r) => {
          s.closeAllConnections();
          s.close(() => r());
        }),
    ),
  );
});

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const s = createServer(handler);
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return `127.0.0.1:${(s.address() as AddressInfo).port}`;
}

const sha = (b: string | Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const MANIFEST = JSON.stringify({
  schemaVersion: 2,
  mediaType: MEDIA.ociManifest,
  config: { mediaType: MEDIA.empty, digest: sha('{}'), size: 2 },
  layers: [],
});

async function failure(p: Promise<unknown>): Promise<{ code?: string; ms: number; message: string }> {
  const t0 = Date.now();
  try {
    await p;
  } catch (e) {
    return { code: (e as { code?: string }).code, ms: Date.now() - t0, message: (e as Error).message };
  }
  throw new Error('expected a failure');
}

const client = (timeoutMs = 1_000, maxManifestBytes?: number) =>
  registryClient({ allowInsecure: true, timeoutMs, ...(maxManifestBytes ? { maxManifestBytes } : {}) });

describe('hostile registries', () => {
  it('a registry that is down: REGISTRY_UNREACHABLE', async () => {
    const host = await serve(() => undefined);
    servers.pop()!.close(); // the port is now closed
    const f = await failure(client().resolve(parseReference(`${host}/a:b`)));
    expect(f.code).toBe('REGISTRY_UNREACHABLE');
  });

  it('a registry that takes 6 s: REGISTRY_TIMEOUT at our 1 s deadline', async () => {
    const host = await serve((_req, res) => {
      setTimeout(() => res.writeHead(200).end(MANIFEST), 6_000).unref();
    });
    const f = await failure(client(1_000).resolve(parseReference(`${host}/a:b`)));
    expect(f.code).toBe('REGISTRY_TIMEOUT');
    expect(f.ms).toBeGreaterThanOrEqual(900);
    expect(f.ms).toBeLessThan(3_000);
  });

  it('a body dribbled a byte at a time: the deadline covers the body too', async () => {
    const host = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': MEDIA.ociManifest });
      const t = setInterval(() => res.write(' '), 100);
      res.on('close', () => clearInterval(t));
    });
    const f = await failure(client(800).resolve(parseReference(`${host}/a:b`)));
    expect(f.code).toBe('REGISTRY_TIMEOUT');
    expect(f.ms).toBeLessThan(3_000);
  });

  it('garbage for a manifest: MANIFEST_INVALID; an unknown document type: MANIFEST_UNSUPPORTED', async () => {
    const garbage = await serve((_req, res) =>
      res.writeHead(200, { 'content-type': MEDIA.ociManifest }).end('<html>hi'),
    );
    expect((await failure(client().resolve(parseReference(`${garbage}/a:b`)))).code).toBe('MANIFEST_INVALID');
    const odd = await serve((_req, res) =>
      res.writeHead(200).end(JSON.stringify({ schemaVersion: 2, mediaType: 'text/plain' })),
    );
    expect((await failure(client().resolve(parseReference(`${odd}/a:b`)))).code).toBe('MANIFEST_UNSUPPORTED');
  });

  it('an oversized answer, declared or streamed: REGISTRY_RESPONSE_TOO_LARGE without reading it all', async () => {
    const declared = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': String(1 << 30) });
      res.write('x');
    });
    expect((await failure(client(2_000, 1024).resolve(parseReference(`${declared}/a:b`)))).code).toBe(
      'REGISTRY_RESPONSE_TOO_LARGE',
    );
    let sent = 0;
    const streamed = await serve((_req, res) => {
      res.writeHead(200);
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = () => {
        while (sent < 64 * 1024 * 1024 && res.write(chunk)) sent += chunk.length;
      };
      res.on('drain', pump);
      pump();
    });
    const f = await failure(client(5_000, 100_000).resolve(parseReference(`${streamed}/a:b`)));
    expect(f.code).toBe('REGISTRY_RESPONSE_TOO_LARGE');
    expect(sent).toBeLessThan(16 * 1024 * 1024);
  });

  it('bytes that do not match the digest asked for, or the digest claimed: DIGEST_MISMATCH', async () => {
    const claimed = `sha256:${'e'.repeat(64)}`;
    const host = await serve((req, res) => {
      res
        .writeHead(200, { 'content-type': MEDIA.ociManifest, 'docker-content-digest': claimed })
        .end(MANIFEST);
      void req;
    });
    const c = client();
    expect((await failure(c.resolve(parseReference(`${host}/a@${claimed}`)))).code).toBe('DIGEST_MISMATCH');
    expect((await failure(c.resolve(parseReference(`${host}/a:tag`)))).code).toBe('DIGEST_MISMATCH');
    expect((await failure(c.getBlob({ registry: host, repository: 'a' }, claimed))).code).toBe(
      'DIGEST_MISMATCH',
    );
  });

  it('server errors and rate limits are coded', async () => {
    const down = await serve((_req, res) => res.writeHead(503).end('{"errors":[{"code":"UNAVAILABLE"}]}'));
    const f = await failure(client().resolve(parseReference(`${down}/a:b`)));
    expect(f.code).toBe('REGISTRY_UNAVAILABLE');
    expect(f.message).toContain('UNAVAILABLE');
    const limited = await serve((_req, res) => res.writeHead(429).end());
    expect((await failure(client().listTags({ registry: limited, repository: 'a' }))).code).toBe(
      'REGISTRY_RATE_LIMITED',
    );
  });

  it('a store lookup during an outage throws instead of answering "no bundles"', async () => {
    const slow = await serve(() => undefined);
    const store = ociStore(client(500), { registry: slow, repository: 'a' });
    expect((await failure(store.find(`sha256:${'a'.repeat(64)}`))).code).toBe('REGISTRY_TIMEOUT');
  });

  it('a referrers API answering garbage is a coded error', async () => {
    const host = await serve((_req, res) => res.writeHead(200).end('{"manifests": 5}'));
    const f = await failure(
      client().referrers({ registry: host, repository: 'a' }, `sha256:${'a'.repeat(64)}`),
    );
    expect(f.code).toBe('MANIFEST_INVALID');
  });

  it('credentials never follow a redirect to another host', async () => {
    const seen: (string | undefined)[] = [];
    const cdn = await serve((req, res) => {
      seen.push(req.headers.authorization);
      res.writeHead(200).end('{}');
    });
    const reg = await startFakeRegistry({
      bearer: { user: 'u', password: 'p' },
      intercept: (req, res) => {
        if (!req.url?.includes('/blobs/') || req.headers.authorization === undefined) return false;
        res.writeHead(307, { location: `http://${cdn}/blob` }).end();
        return true;
      },
    });
    try {
      const c = registryClient({
        allowInsecure: true,
        credentials: async () => ({ kind: 'basic', username: 'u', password: 'p' }),
      });
      const blob = await c.getBlob({ registry: reg.host, repository: 'a' }, sha('{}'));
      expect(new TextDecoder().decode(blob)).toBe('{}');
      expect(seen).toEqual([undefined]);
    } finally {
      await reg.close();
    }
  });

  it('a token endpoint on plain HTTP off loopback is refused', async () => {
    const host = await serve((_req, res) =>
      res
        .writeHead(401, { 'www-authenticate': 'Bearer realm="http://auth.example.com/token",service="x"' })
        .end(),
    );
    const c = registryClient({
      allowInsecure: true,
      credentials: async () => ({ kind: 'basic', username: 'u', password: 'p' }),
    });
    expect((await failure(c.listTags({ registry: host, repository: 'a' }))).code).toBe(
      'REGISTRY_INSECURE_REFUSED',
    );
  });
});
