/**
 * A small Kubernetes API server on 127.0.0.1 for tests: list (with `labelSelector` equality terms
 * and `limit`/`continue` paging) and `?watch=true` streaming JSON lines (ADDED/MODIFIED/DELETED/
 * BOOKMARK) from a resourceVersion, with 410 Gone once history was compacted; and, for writers,
 * GET/POST/PUT/DELETE of one namespaced object with the API server's 404/409 answers. Core
 * (`/api/v1/pods`) and group (`/apis/<group>/<version>/<plural>`) paths both work; objects are kept
 * by plural. Enough for client-node's ListWatch, the reporter and the CLI's reader; nothing more:
 * no RBAC, no admission, no garbage collection of owned objects.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';

type Obj = { apiVersion: string; kind: string; metadata: Record<string, unknown>; [k: string]: unknown };
interface Event {
  rv: number;
  plural: string;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: Obj;
}
type Verb = 'create' | 'update' | 'delete' | 'get';

export interface FakeApiServer {
  url: string;
  port: number;
  put(plural: string, object: Obj): void;
  delete(plural: string, namespace: string | undefined, name: string): void;
  /** the stored object, as a client would read it */
  get(plural: string, namespace: string | undefined, name: string): Obj | undefined;
  /** every stored object of a plural */
  list(plural: string): Obj[];
  /** hang up every open watch (as an API server restart would) */
  dropWatches(): void;
  /** forget history: resuming from an old resourceVersion now answers 410 Gone */
  compact(): void;
  lists: number;
  watches: number;
  /** writes and reads of single objects by clients, e.g. `create policyreports` */
  readonly requests: readonly string[];
  close(): Promise<void>;
}

const STATUS_REASON: Record<number, string> = {
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  422: 'Invalid',
};

export async function startFakeApiServer(
  opts: {
    /** plurals answered 404, as for a CRD that is not installed */
    missing?: readonly string[];
    /** plurals answered 403, as RBAC would */
    forbidden?: readonly string[];
    /** serve HTTPS with this pair, as a real API server does for in-cluster clients */
    tls?: { readonly cert: Buffer; readonly key: Buffer };
    /** answer 401 unless `Authorization: Bearer <token>` */
    token?: string;
    /** schema checks run on writes, by plural: messages answered 422 Invalid */
    validate?: Readonly<Record<string, (o: unknown) => readonly string[]>>;
  } = {},
): Promise<FakeApiServer> {
  let rv = 100;
  let oldest = 0;
  const objects = new Map<string, Map<string, Obj>>();
  const history: Event[] = [];
  const open = new Set<{ plural: string; res: ServerResponse }>();
  const state = { lists: 0, watches: 0 };
  const requests: string[] = [];

  const keyOf = (o: Obj) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
  const emit = (ev: Event) => {
    history.push(ev);
    for (const w of open)
      if (w.plural === ev.plural) w.res.write(`${JSON.stringify({ type: ev.type, object: ev.object })}\n`);
  };
  const store = (plural: string, object: Obj): Obj => {
    rv++;
    const map = objects.get(plural) ?? new Map<string, Obj>();
    objects.set(plural, map);
    const old = map.get(keyOf(object));
    const type = old ? 'MODIFIED' : 'ADDED';
    const uid = old?.metadata.uid ?? object.metadata.uid ?? randomUUID();
    const stored = { ...object, metadata: { ...object.metadata, uid, resourceVersion: String(rv) } };
    map.set(keyOf(object), stored);
    emit({ rv, plural, type, object: stored });
    return stored;
  };
  const remove = (plural: string, namespace: string | undefined, name: string): Obj | undefined => {
    const map = objects.get(plural);
    const k = `${namespace ?? ''}/${name}`;
    const old = map?.get(k);
    if (!map || !old) return undefined;
    rv++;
    map.delete(k);
    const gone = { ...old, metadata: { ...old.metadata, resourceVersion: String(rv) } };
    emit({ rv, plural, type: 'DELETED', object: gone });
    return gone;
  };

  const send = (res: ServerResponse, code: number, body: unknown) => {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const status = (res: ServerResponse, code: number, message: string) =>
    send(res, code, {
      apiVersion: 'v1',
      kind: 'Status',
      status: 'Failure',
      code,
      reason: STATUS_REASON[code] ?? 'Unknown',
      message,
    });

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (opts.token !== undefined && req.headers.authorization !== `Bearer ${opts.token}`) {
      status(res, 401, 'Unauthorized');
      return;
    }
    const m =
      /^\/api\/v1(?:\/namespaces\/([^/]+))?\/([a-z]+)(?:\/([^/]+))?$/.exec(url.pathname) ??
      /^\/apis\/[^/]+\/[^/]+(?:\/namespaces\/([^/]+))?\/([a-z]+)(?:\/([^/]+))?$/.exec(url.pathname);
    if (!m || opts.missing?.includes(m[2]!)) {
      status(res, 404, 'the server could not find the requested resource');
      return;
    }
    const namespace = m[1];
    const plural = m[2]!;
    const name = m[3];
    if (opts.forbidden?.includes(plural)) {
      status(res, 403, `${plural} is forbidden: User cannot access resource "${plural}"`);
      return;
    }
    if (name !== undefined || req.method !== 'GET') {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (d: string) => {
        body += d;
      });
      req.on('end', () => one(req.method ?? 'GET', plural, namespace, name, body, res));
      return;
    }
    const items = [...(objects.get(plural)?.values() ?? [])].filter(
      (o) =>
        (namespace === undefined || o.metadata.namespace === namespace) &&
        selects(url.searchParams.get('labelSelector'), o),
    );
    if (url.searchParams.get('watch') !== 'true' && url.searchParams.get('watch') !== '1') {
      state.lists++;
      const limit = Number(url.searchParams.get('limit') ?? '0');
      const from = Number(url.searchParams.get('continue') ?? '0');
      const page = limit > 0 ? items.slice(from, from + limit) : items;
      const more = limit > 0 && from + limit < items.length;
      send(res, 200, {
        apiVersion: 'v1',
        kind: 'List',
        metadata: { resourceVersion: String(rv), ...(more ? { continue: String(from + limit) } : {}) },
        items: page,
      });
      return;
    }
    state.watches++;
    const from = Number(url.searchParams.get('resourceVersion') ?? '0');
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    if (from < oldest) {
      res.end(
        `${JSON.stringify({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version' } })}\n`,
      );
      return;
    }
    for (const ev of history)
      if (ev.plural === plural && ev.rv > from)
        res.write(`${JSON.stringify({ type: ev.type, object: ev.object })}\n`);
    res.write(
      `${JSON.stringify({ type: 'BOOKMARK', object: { kind: 'X', apiVersion: 'v1', metadata: { resourceVersion: String(rv) } } })}\n`,
    );
    const w = { plural, res };
    open.add(w);
    res.on('close', () => open.delete(w));
  };

  const one = (
    method: string,
    plural: string,
    namespace: string | undefined,
    name: string | undefined,
    text: string,
    res: ServerResponse,
  ) => {
    const verbs: Record<string, Verb> = { POST: 'create', PUT: 'update', DELETE: 'delete', GET: 'get' };
    const verb = verbs[method];
    if (verb === undefined || (verb === 'create') !== (name === undefined)) {
      status(res, 405, `${method} is not supported here`);
      return;
    }
    requests.push(`${verb} ${plural}`);
    const existing = name === undefined ? undefined : objects.get(plural)?.get(`${namespace ?? ''}/${name}`);
    if (verb === 'get' || verb === 'delete') {
      if (!existing) return status(res, 404, `${plural} "${name}" not found`);
      if (verb === 'get') return send(res, 200, existing);
      remove(plural, namespace, name!);
      return send(res, 200, { apiVersion: 'v1', kind: 'Status', status: 'Success', code: 200 });
    }
    let body: Obj;
    try {
      body = JSON.parse(text) as Obj;
    } catch {
      return status(res, 400, 'body is not JSON');
    }
    const bodyName = body.metadata?.name;
    if (typeof bodyName !== 'string' || (name !== undefined && bodyName !== name))
      return status(res, 422, 'metadata.name is missing or differs from the URL');
    if ((body.metadata.namespace ?? namespace) !== namespace)
      return status(res, 422, 'metadata.namespace differs from the URL');
    const problems = opts.validate?.[plural]?.(body) ?? [];
    if (problems.length > 0) return status(res, 422, problems.join('; '));
    const current = objects.get(plural)?.get(`${namespace ?? ''}/${bodyName}`);
    if (verb === 'create' && current) return status(res, 409, `${plural} "${bodyName}" already exists`);
    if (verb === 'update') {
      if (!current) return status(res, 404, `${plural} "${bodyName}" not found`);
      const asked = body.metadata.resourceVersion;
      if (asked !== undefined && asked !== current.metadata.resourceVersion)
        return status(
          res,
          409,
          'the object has been modified; please apply your changes to the latest version',
        );
    }
    const stored = store(plural, { ...body, metadata: { ...body.metadata, namespace } });
    send(res, verb === 'create' ? 201 : 200, stored);
  };

  const server: Server = opts.tls ? createHttpsServer(opts.tls, handler) : createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    get lists() {
      return state.lists;
    },
    get watches() {
      return state.watches;
    },
    requests,
    put(plural, object) {
      store(plural, object);
    },
    delete(plural, namespace, name) {
      remove(plural, namespace, name);
    },
    get(plural, namespace, name) {
      return objects.get(plural)?.get(`${namespace ?? ''}/${name}`);
    },
    list(plural) {
      return [...(objects.get(plural)?.values() ?? [])];
    },
    dropWatches() {
      for (const w of open) w.res.socket?.destroy();
      open.clear();
    },
    compact() {
      oldest = rv + 1;
      history.length = 0;
    },
    close() {
      for (const w of open) w.res.socket?.destroy();
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

/** `a=b,c=d` terms, equality only: what the reporter and the CLI send. */
function selects(selector: string | null, o: Obj): boolean {
  if (!selector) return true;
  const labels = (o.metadata.labels ?? {}) as Record<string, string>;
  return selector.split(',').every((term) => {
    const [k, v] = term.split('=');
    return k !== undefined && labels[k] === v;
  });
}

/** A kubeconfig for the fake server: no auth and no TLS check, or the server's CA and a token. */
export function kubeConfigFor(
  api: FakeApiServer,
  auth: { caData?: string; token?: string } = {},
): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      auth.caData
        ? { name: 'fake', server: api.url, caData: auth.caData }
        : { name: 'fake', server: api.url, skipTLSVerify: true },
    ],
    users: [auth.token ? { name: 'u', token: auth.token } : { name: 'u' }],
    contexts: [{ name: 'c', cluster: 'fake', user: 'u' }],
    currentContext: 'c',
  });
  return kc;
}
