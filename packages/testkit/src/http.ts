import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HandlerFn } from '@sigstore/mock';

export interface Route {
  readonly path: string;
  readonly fn: HandlerFn;
}

export interface RunningServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Requests larger than this are refused: the test services only ever see small JSON bodies. */
const MAX_BODY = 1 << 20;

/** Serves @sigstore/mock handler functions over real HTTP on 127.0.0.1 (ephemeral port). */
export async function serveRoutes(routes: readonly Route[]): Promise<RunningServer> {
  const byPath = new Map(routes.map((r) => [r.path, r.fn]));
  const server: Server = createServer((req, res) => {
    const fn = byPath.get((req.url ?? '').split('?')[0] ?? '');
    if (!fn) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(405, { 'content-type': 'text/plain', allow: 'POST' }).end('method not allowed');
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        res.writeHead(413, { 'content-type': 'text/plain', connection: 'close' }).end('request too large');
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (res.headersSent) return;
      fn(Buffer.concat(chunks).toString('utf8'))
        .then(({ statusCode, response, contentType }) => {
          const body =
            typeof response === 'string'
              ? response
              : Buffer.from(response.buffer, response.byteOffset, response.byteLength);
          res.writeHead(statusCode, { 'content-type': contentType ?? 'text/plain' }).end(body);
        })
        .catch((e: unknown) => {
          res.writeHead(500, { 'content-type': 'text/plain' }).end(String((e as Error)?.message ?? e));
        });
    });
    req.on('error', () => res.destroy());
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
