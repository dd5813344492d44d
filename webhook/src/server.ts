import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { type AdmissionRequest, type AdmissionResponse, parseReview, reviewOf } from '@modelseal/admission';
import { isModelsealError, parseJson } from '@modelseal/core';
import type { Logger } from './log.ts';
import type { Metrics } from './metrics.ts';
import { readTls, type TlsFiles, watchTls } from './tls.ts';

export interface ServerConfig {
  readonly tls: TlsFiles;
  readonly host: string;
  readonly port: number;
  /** the API server sends at most 3 MiB objects; anything bigger is not an AdmissionReview */
  readonly bodyLimit: number;
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  /** how long an idle keep-alive connection stays open */
  readonly keepAliveTimeoutMs: number;
  readonly tlsPollMs: number;
  readonly drainTimeoutMs: number;
}

export const DEFAULT_SERVER_CONFIG: Omit<ServerConfig, 'tls'> = Object.freeze({
  host: '0.0.0.0',
  port: 8443,
  bodyLimit: 3 * 1024 * 1024,
  headersTimeoutMs: 5_000,
  requestTimeoutMs: 10_000,
  // Longer than the API server's idle-connection timeout (Go's http.Transport: 90 s), so the client
  // is the side that closes an idle connection. When the server closes first, a request sent as
  // the close is on its way fails with EOF, and with failurePolicy Fail the pod is rejected for
  // nothing (linkerd/linkerd2#14096). Every reconnect is also a TLS handshake on the request path.
  keepAliveTimeoutMs: 120_000,
  tlsPollMs: 10_000,
  drainTimeoutMs: 20_000,
});

export interface ServerDeps {
  readonly decide: (request: AdmissionRequest) => Promise<AdmissionResponse>;
  /** /mutate; absent, the route answers 404 (no --verifier-image and --pin-tags off) */
  readonly mutate?: (request: AdmissionRequest) => Promise<AdmissionResponse>;
  /** false until policies (and the store) have synced */
  readonly ready: () => boolean;
  readonly metrics: Metrics;
  readonly metricsExtra?: () => Readonly<Record<string, number>>;
  readonly log: Logger;
}

export interface RunningServer {
  readonly server: Server;
  readonly port: number;
  /** requests being answered now: background work (the reporter) waits while there are any */
  inflight(): number;
  /** stop accepting, answer what is in flight, then close: SIGTERM's job */
  drain(): Promise<void>;
}

/** The HTTP edge: parse, call decide, wrap, write. Nothing in here decides anything. */
export async function startServer(config: ServerConfig, deps: ServerDeps): Promise<RunningServer> {
  const { cert, key } = readTls(config.tls);
  let draining = false;
  let inflight = 0;
  const server = createServer({
    cert,
    key,
    minVersion: 'TLSv1.2',
    headersTimeout: config.headersTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    // how often node enforces the two timeouts above; the default 30 s lets slow clients linger
    connectionsCheckingInterval: Math.max(100, Math.min(1000, config.headersTimeoutMs / 2)),
    keepAliveTimeout: config.keepAliveTimeoutMs,
    handshakeTimeout: config.headersTimeoutMs,
  });
  server.maxHeadersCount = 100;
  const tlsWatch = watchTls(config.tls, (pair) => server.setSecureContext(pair), deps.log, config.tlsPollMs);

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    inflight++;
    res.on('close', () => {
      inflight--;
    });
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const finish = (status: number, body: string, type = 'application/json') => {
      deps.metrics.request(path, status);
      if (res.headersSent) return;
      res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    route(path, req, finish).catch((e) => {
      deps.log('error', 'unexpected handler failure', { error: String(e) });
      finish(500, errorBody('INTERNAL', 'internal error'));
    });
  });
  server.on('clientError', (e: NodeJS.ErrnoException, socket) => {
    const status = e.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
    if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
    // a client that never reads must not keep the socket alive
    setTimeout(() => socket.destroy(), 500).unref();
  });
  server.on('tlsClientError', () => {});

  async function route(
    path: string,
    req: IncomingMessage,
    finish: (s: number, b: string, t?: string) => void,
  ) {
    switch (path) {
      case '/livez':
        return finish(200, 'ok\n', 'text/plain');
      case '/readyz':
        return draining || !deps.ready()
          ? finish(503, 'not ready\n', 'text/plain')
          : finish(200, 'ok\n', 'text/plain');
      case '/metrics':
        return finish(200, deps.metrics.render(deps.metricsExtra?.()), 'text/plain; version=0.0.4');
      case '/validate':
        return review(req, finish, 'validate', deps.decide);
      case '/mutate':
        if (deps.mutate === undefined)
          return finish(404, errorBody('MUTATE_DISABLED', 'start-up checks are off (no --verifier-image)'));
        return review(req, finish, 'mutate', deps.mutate);
      default:
        return finish(
          404,
          errorBody('NOT_FOUND', `no route ${path}; POST AdmissionReviews to /validate or /mutate`),
        );
    }
  }

  async function review(
    req: IncomingMessage,
    finish: (s: number, b: string) => void,
    endpoint: 'validate' | 'mutate',
    answer: (request: AdmissionRequest) => Promise<AdmissionResponse>,
  ) {
    if (req.method !== 'POST') return finish(405, errorBody('METHOD_NOT_ALLOWED', 'POST an AdmissionReview'));
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > config.bodyLimit) return tooLarge(req, finish);
    const body = await readBody(req, config.bodyLimit);
    if (body === 'too-large') return tooLarge(req, finish);
    if (body === 'aborted') return;
    const started = performance.now();
    let request: AdmissionRequest;
    try {
      request = parseReview(
        parseJson(body, 'AdmissionReview body', { maxBytes: config.bodyLimit, maxDepth: 100 }),
      );
    } catch (e) {
      const code = isModelsealError(e) ? e.code : 'BAD_REQUEST';
      deps.log('warn', 'rejected malformed request', { code });
      return finish(400, errorBody(code, (e as Error).message));
    }
    const response = await answer(request);
    const seconds = (performance.now() - started) / 1000;
    if (endpoint === 'validate') {
      deps.metrics.latency(seconds);
      deps.metrics.decision(!response.allowed ? 'denied' : response.warnings ? 'warned' : 'allowed');
    } else deps.metrics.mutation(response.patch !== undefined ? 'patched' : 'unchanged');
    deps.log('info', endpoint === 'validate' ? 'admission decision' : 'admission mutation', {
      uid: request.uid,
      kind: request.kind?.kind,
      namespace: request.namespace,
      name: request.name,
      allowed: response.allowed,
      ...(endpoint === 'mutate' ? { patched: response.patch !== undefined } : {}),
      ms: Math.round(seconds * 1000),
      ...(response.allowed ? {} : { message: response.status?.message }),
    });
    finish(200, JSON.stringify(reviewOf(response)));
  }

  function tooLarge(req: IncomingMessage, finish: (s: number, b: string) => void) {
    // stop reading a body we refuse; the connection cannot be reused after that
    req.pause();
    finish(
      413,
      errorBody('BODY_TOO_LARGE', `AdmissionReview bodies are limited to ${config.bodyLimit} bytes`),
    );
    setImmediate(() => req.socket.destroySoon());
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  deps.log('info', 'listening', { host: config.host, port });

  return {
    server,
    port,
    inflight: () => inflight,
    async drain() {
      if (draining) return;
      draining = true;
      tlsWatch.close();
      deps.log('info', 'draining', { inflight });
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const until = Date.now() + config.drainTimeoutMs;
      while (inflight > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      server.closeAllConnections();
      await closed;
      deps.log('info', 'drained', {});
    },
  };
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large' | 'aborted'> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.off('data', onData);
        resolve('too-large');
        return;
      }
      chunks.push(c);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', () => resolve('aborted'));
    req.on('close', () => {
      if (!req.complete) resolve('aborted');
    });
  });
}

function errorBody(code: string, message: string): string {
  return JSON.stringify({ error: { code, message } });
}
