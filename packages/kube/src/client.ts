/**
 * Read-only calls to a Kubernetes API server: list a collection, page by page (`limit`/`continue`),
 * over node:https with the kubeconfig's CA and credentials. Bounded: a deadline per page and a cap
 * on a page's size. API server errors keep the server's own message (its `Status`).
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { InternalError, UsageError } from '@modelseal/core';

export interface ApiConnection {
  readonly server: string;
  readonly insecureSkipTlsVerify: boolean;
  readonly tlsServerName?: string;
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
  readonly token?: string;
}

const PAGE = 500;
const PAGE_MAX_BYTES = 64 << 20;
const TIMEOUT_MS = 30_000;

/** Every item of a collection, e.g. `/api/v1/pods` or `/apis/modelseal.dev/v1alpha1/modelpolicies`. */
export async function listAll(conn: ApiConnection, path: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let cont = '';
  do {
    const url = new URL(`${conn.server}${path}`);
    url.searchParams.set('limit', String(PAGE));
    if (cont) url.searchParams.set('continue', cont);
    const page = (await get(conn, url, path)) as { items?: unknown; metadata?: { continue?: unknown } };
    if (!Array.isArray(page.items))
      throw new InternalError({ code: 'KUBE_LIST_FAILED', message: `${path}: the answer is not a list` });
    for (const i of page.items)
      if (typeof i === 'object' && i !== null) items.push(i as Record<string, unknown>);
    cont = typeof page.metadata?.continue === 'string' ? page.metadata.continue : '';
  } while (cont);
  return items;
}

function get(conn: ApiConnection, url: URL, what: string): Promise<unknown> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'GET',
        headers: {
          accept: 'application/json',
          ...(conn.token ? { authorization: `Bearer ${conn.token}` } : {}),
        },
        timeout: TIMEOUT_MS,
        ...(url.protocol === 'https:'
          ? {
              rejectUnauthorized: !conn.insecureSkipTlsVerify,
              ...(conn.ca ? { ca: conn.ca } : {}),
              ...(conn.cert ? { cert: conn.cert } : {}),
              ...(conn.key ? { key: conn.key } : {}),
              ...(conn.tlsServerName ? { servername: conn.tlsServerName } : {}),
            }
          : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > PAGE_MAX_BYTES) {
            req.destroy();
            reject(
              new InternalError({
                code: 'KUBE_LIST_FAILED',
                message: `${what}: a page is over ${PAGE_MAX_BYTES} bytes`,
              }),
            );
            return;
          }
          chunks.push(c);
        });
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown;
          try {
            body = JSON.parse(text);
          } catch {
            body = undefined;
          }
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300 && body !== undefined) return resolve(body);
          const said = clean((body as { message?: unknown } | undefined)?.message ?? text);
          const host = url.host;
          if (status === 401)
            return reject(
              new UsageError({
                code: 'KUBE_AUTH_FAILED',
                message: `${host} refused the credentials (401): ${said}`,
              }),
            );
          if (status === 403)
            return reject(
              new UsageError({
                code: 'KUBE_DENIED',
                message: `${host} forbids listing ${what} (403): ${said}`,
              }),
            );
          reject(
            new InternalError({
              code: 'KUBE_LIST_FAILED',
              message:
                status === 404
                  ? `cannot list ${what} (404): is the custom resource definition installed (deploy/manifests/00-crds.yaml)?`
                  : `cannot list ${what} (${status}): ${said}`,
            }),
          );
        });
        res.on('error', (e) => reject(unreachable(url, e)));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${TIMEOUT_MS / 1000} s`)));
    req.on('error', (e) => reject(unreachable(url, e)));
    req.end();
  });
}

function unreachable(url: URL, e: Error): InternalError {
  const code = (e as NodeJS.ErrnoException).code;
  return new InternalError({
    code: 'KUBE_UNREACHABLE',
    message: `cannot reach the API server ${url.host}: ${code ? `${code} ` : ''}${e.message}`,
  });
}

function clean(v: unknown): string {
  const flat = String(v ?? '')
    .replace(/[^\x20-\x7e]+/g, ' ')
    .trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat || 'no message';
}
