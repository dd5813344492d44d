/**
 * One HTTP exchange with a registry, bounded: a deadline over connect + headers + body, a cap on
 * the body, redirects followed a few times. node:http(s) rather than fetch: it takes a custom CA
 * per request and lets us stop reading at the cap.
 */
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { InputError, InternalError } from '@modelseal/core';
import { isLoopbackRegistry } from './reference.ts';

export interface HttpOptions {
  readonly timeoutMs: number;
  readonly ca?: string | Buffer | readonly (string | Buffer)[];
  readonly allowInsecure: boolean;
  readonly userAgent: string;
}

export interface HttpRequest {
  readonly method: 'GET' | 'HEAD' | 'POST' | 'PUT';
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Uint8Array;
  readonly maxBytes: number;
  /** what is asked for, for error messages: "manifest models/llama:v1" */
  readonly what: string;
  /** headers sent to this origin only: never carried across a redirect to another host */
  readonly authorization?: string;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Uint8Array;
  /** the URL that answered, after redirects */
  readonly url: URL;
}

const MAX_REDIRECTS = 5;

/** Text from the other side goes into our messages: short, printable, one line. */
export function clean(text: string, max = 200): string {
  const flat = text.replace(/[^\x20-\x7e]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/** A URL as shown in messages: no query (a token endpoint's query may carry an account), no userinfo. */
export function showUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

export function checkScheme(url: URL, opts: HttpOptions): void {
  if (url.protocol === 'https:') return;
  if (url.protocol === 'http:' && opts.allowInsecure && isLoopbackRegistry(url.host)) return;
  throw new InputError({
    code: 'REGISTRY_INSECURE_REFUSED',
    message:
      url.protocol === 'http:'
        ? `refusing plain HTTP to ${url.host}: it is allowed only for a loopback registry with allowInsecure`
        : `refusing ${url.protocol} URL from the registry (${url.host})`,
    details: { protocol: url.protocol, host: url.host },
  });
}

export async function exchange(req: HttpRequest, opts: HttpOptions): Promise<HttpResponse> {
  const deadline = Date.now() + opts.timeoutMs;
  let url = req.url;
  let method = req.method;
  let body = req.body;
  let authorization = req.authorization;
  for (let hop = 0; ; hop++) {
    checkScheme(url, opts);
    const res = await once({ ...req, url, method, ...(body ? { body } : {}) }, authorization, deadline, opts);
    const location = res.headers.location;
    if (![301, 302, 303, 307, 308].includes(res.status) || location === undefined) return res;
    if (hop >= MAX_REDIRECTS) {
      throw new InternalError({
        code: 'REGISTRY_BAD_RESPONSE',
        message: `${req.what}: more than ${MAX_REDIRECTS} redirects from ${url.host}`,
      });
    }
    const next = new URL(location, url);
    // blob storage behind a redirect (S3, a CDN) must never see the registry's credentials
    if (next.origin !== url.origin) authorization = undefined;
    if (res.status === 303) {
      method = 'GET';
      body = undefined;
    }
    url = next;
  }
}

function once(
  req: HttpRequest,
  authorization: string | undefined,
  deadline: number,
  opts: HttpOptions,
): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const remaining = deadline - Date.now();
    const target = `${req.what} (${req.url.host})`;
    if (remaining <= 0) {
      reject(timeoutError(target, opts.timeoutMs));
      return;
    }
    const headers: Record<string, string> = { 'user-agent': opts.userAgent, ...req.headers };
    if (authorization !== undefined) headers.authorization = authorization;
    if (req.body) headers['content-length'] = String(req.body.byteLength);
    const send = req.url.protocol === 'https:' ? httpsRequest : httpRequest;
    let settled = false;
    const finish = (err: Error | undefined, value?: HttpResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) {
        r.destroy();
        reject(err);
      } else resolve(value!);
    };
    const r = send(req.url, {
      method: req.method,
      headers,
      ...(opts.ca !== undefined && req.url.protocol === 'https:' ? { ca: opts.ca as string | Buffer[] } : {}),
      // no keep-alive pool: a hostile server must not keep sockets of ours open past the deadline
      agent: false,
    });
    const timer = setTimeout(() => finish(timeoutError(target, opts.timeoutMs)), remaining);
    r.on('error', (e: NodeJS.ErrnoException) => finish(networkError(target, e)));
    r.on('response', (res: IncomingMessage) => {
      const declared = Number(res.headers['content-length']);
      if (req.method !== 'HEAD' && Number.isFinite(declared) && declared > req.maxBytes) {
        finish(tooLarge(target, declared, req.maxBytes));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > req.maxBytes) {
          finish(tooLarge(target, size, req.maxBytes));
          return;
        }
        chunks.push(c);
      });
      res.on('error', (e: NodeJS.ErrnoException) => finish(networkError(target, e)));
      res.on('aborted', () =>
        finish(
          new InternalError({
            code: 'REGISTRY_UNREACHABLE',
            message: `${target}: connection closed mid-answer`,
          }),
        ),
      );
      res.on('end', () =>
        finish(undefined, {
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: new Uint8Array(Buffer.concat(chunks)),
          url: req.url,
        }),
      );
    });
    r.end(req.body ? Buffer.from(req.body.buffer, req.body.byteOffset, req.body.byteLength) : undefined);
  });
}

function timeoutError(target: string, ms: number): InternalError {
  return new InternalError({
    code: 'REGISTRY_TIMEOUT',
    message: `${target}: no complete answer within ${ms} ms`,
    details: { timeoutMs: ms },
  });
}

function tooLarge(target: string, size: number, max: number): InputError {
  return new InputError({
    code: 'REGISTRY_RESPONSE_TOO_LARGE',
    message: `${target}: the answer is over the ${max}-byte limit (${size} bytes seen)`,
    details: { maxBytes: max },
  });
}

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function networkError(target: string, e: NodeJS.ErrnoException): InternalError {
  if (e.code !== undefined && TLS_CODES.has(e.code)) {
    return new InternalError({
      code: 'REGISTRY_TLS_FAILED',
      message: `${target}: TLS certificate not trusted (${e.code}); pass the registry's CA if it has a private one`,
      cause: e,
    });
  }
  return new InternalError({
    code: 'REGISTRY_UNREACHABLE',
    message: `${target}: ${e.code ?? 'network error'} (${clean(e.message)})`,
    cause: e,
  });
}

export function header(res: HttpResponse, name: string): string | undefined {
  const v = res.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}
