/**
 * The webhook benchmark's load generator is a measuring instrument: these tests check that it
 * counts what a server really did, against small HTTPS servers on 127.0.0.1 that misbehave on
 * purpose (slow answers, errors, chunked bodies, closed connections).
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LoadOptions, type LoadResult, runLoad } from '../bench/load-gen.ts';
import { makeTlsFixture, type TlsFixture } from '../webhook/test/tls-fixture.ts';

let tls: TlsFixture;
beforeAll(() => {
  tls = makeTlsFixture();
});
afterAll(() => tls.cleanup());

type Handler = Parameters<typeof createServer>[1];

async function serve(handler: Handler): Promise<{ port: number; close(): void }> {
  const server: Server = createServer(
    { cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) },
    handler,
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

const base = { method: 'GET' as const, path: '/', connections: 4, timeoutMs: 2000 };

/** Runs the generator against a fresh server answering with `handler`, then closes the server. */
async function loadAgainst(
  handler: Handler,
  run: Pick<LoadOptions, 'rate' | 'seconds'> & Partial<LoadOptions>,
): Promise<LoadResult> {
  const s = await serve(handler);
  try {
    return await runLoad({ ...base, port: s.port, ca: tls.ca.toString(), ...run });
  } finally {
    s.close();
  }
}

describe('bench load generator', () => {
  it('sends the scheduled number of requests and measures a server-side delay', async () => {
    let n = 0;
    const handler: Handler = (_req, res) => {
      // every 10th request waits 30 ms: p50 stays small, p99 must show the 30 ms
      const slow = n++ % 10 === 0;
      setTimeout(() => res.end('ok'), slow ? 30 : 0);
    };
    const r = await loadAgainst(handler, { rate: 200, seconds: 1 });
    expect(r.sent).toBe(200);
    expect(r.completed).toBe(200);
    expect(r.errors).toBe(0);
    expect(r.non2xx).toBe(0);
    expect(n).toBe(200);
    expect(r.latencyMs.p50).toBeLessThan(10);
    expect(r.latencyMs.p99).toBeGreaterThanOrEqual(29);
    expect(r.latencyMs.max).toBeLessThan(1000);
  });

  it('posts the body with its length, and counts non-2xx answers', async () => {
    const bodies: string[] = [];
    const handler: Handler = (req, res) => {
      let b = '';
      req.on('data', (c: Buffer) => {
        b += c.toString();
      });
      req.on('end', () => {
        bodies.push(`${req.method} ${req.headers['content-type']} ${b}`);
        res.statusCode = bodies.length % 2 === 0 ? 503 : 200;
        res.end('{}');
      });
    };
    const r = await loadAgainst(handler, {
      method: 'POST',
      body: '{"kind":"AdmissionReview","é":1}',
      rate: 100,
      seconds: 0.5,
    });
    expect(r.completed).toBe(50);
    expect(r.non2xx).toBe(25);
    expect(new Set(bodies)).toEqual(new Set(['POST application/json {"kind":"AdmissionReview","é":1}']));
  });

  it('reads chunked answers that arrive in pieces', async () => {
    const handler: Handler = (_req, res) => {
      res.write('part one,');
      setTimeout(() => res.end('part two'), 5);
    };
    const r = await loadAgainst(handler, { rate: 100, seconds: 0.3 });
    expect(r.completed).toBe(30);
    expect(r.errors).toBe(0);
    expect(r.latencyMs.p50).toBeGreaterThanOrEqual(4);
  });

  it('counts a connection the server drops mid-request as an error and reconnects', async () => {
    let n = 0;
    const handler: Handler = (req, res) => {
      if (++n % 25 === 0) req.socket.destroy();
      else res.end('ok');
    };
    const r = await loadAgainst(handler, { rate: 100, seconds: 1 });
    expect(r.sent).toBe(100);
    expect(r.completed).toBe(100);
    expect(r.errors).toBe(4);
    // the last drop may end the run before its connection is opened again
    expect(r.reconnects).toBeGreaterThanOrEqual(3);
  });

  it('times out a request the server never answers, and ends', async () => {
    let n = 0;
    const handler: Handler = (_req, res) => {
      if (++n !== 3) res.end('ok');
    };
    const t0 = Date.now();
    const r = await loadAgainst(handler, {
      rate: 50,
      seconds: 0.2,
      timeoutMs: 300,
    });
    expect(r.completed).toBe(10);
    expect(r.errors).toBe(1);
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('gives up within its deadline when nothing listens on the port', async () => {
    const s = await serve((_req, res) => res.end('ok'));
    const port = s.port;
    s.close();
    const t0 = Date.now();
    const r = await runLoad({ ...base, port, ca: tls.ca.toString(), rate: 50, seconds: 0.2, timeoutMs: 300 });
    expect(r.sent).toBe(0);
    expect(r.completed).toBe(0);
    expect(r.errors).toBeGreaterThan(0);
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});
