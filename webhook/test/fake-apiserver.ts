/**
 * A small Kubernetes API server for custom resources on 127.0.0.1: list, and `?watch=true`
 * streaming JSON lines (ADDED/MODIFIED/DELETED/BOOKMARK) from a resourceVersion, with 410 Gone
 * once history was compacted. Enough for client-node's ListWatch; nothing more.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

type Obj = { apiVersion: string; kind: string; metadata: Record<string, unknown>; spec?: unknown };
interface Event {
  rv: number;
  plural: string;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: Obj;
}

export interface FakeApiServer {
  url: string;
  port: number;
  put(plural: string, object: Obj): void;
  delete(plural: string, namespace: string | undefined, name: string): void;
  /** hang up every open watch (as an API server restart would) */
  dropWatches(): void;
  /** forget history: resuming from an old resourceVersion now answers 410 Gone */
  compact(): void;
  lists: number;
  watches: number;
  close(): Promise<void>;
}

export async function startFakeApiServer(
  opts: {
    missing?: readonly string[];
    /** serve HTTPS with this pair, as a real API server does for in-cluster clients */
    tls?: { readonly cert: Buffer; readonly key: Buffer };
  } = {},
): Promise<FakeApiServer> {
  let rv = 100;
  let oldest = 0;
  const objects = new Map<string, Map<string, Obj>>();
  const history: Event[] = [];
  const open = new Set<{ plural: string; res: ServerResponse }>();
  const state = { lists: 0, watches: 0 };

  const keyOf = (o: Obj) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
  const emit = (ev: Event) => {
    history.push(ev);
    for (const w of open)
      if (w.plural === ev.plural) w.res.write(`${JSON.stringify({ type: ev.type, object: ev.object })}\n`);
  };

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const m = /^\/apis\/modelseal\.dev\/v1alpha1\/([a-z]+)$/.exec(url.pathname);
    if (!m || req.method !== 'GET' || opts.missing?.includes(m[1]!)) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', code: 404 }));
      return;
    }
    const plural = m[1]!;
    const items = [...(objects.get(plural)?.values() ?? [])];
    if (url.searchParams.get('watch') !== 'true' && url.searchParams.get('watch') !== '1') {
      state.lists++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          apiVersion: 'modelseal.dev/v1alpha1',
          kind: 'List',
          metadata: { resourceVersion: String(rv) },
          items,
        }),
      );
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
      `${JSON.stringify({ type: 'BOOKMARK', object: { kind: 'X', apiVersion: 'modelseal.dev/v1alpha1', metadata: { resourceVersion: String(rv) } } })}\n`,
    );
    const w = { plural, res };
    open.add(w);
    res.on('close', () => open.delete(w));
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
    put(plural, object) {
      rv++;
      const map = objects.get(plural) ?? new Map<string, Obj>();
      objects.set(plural, map);
      const type = map.has(keyOf(object)) ? 'MODIFIED' : 'ADDED';
      const stored = { ...object, metadata: { ...object.metadata, resourceVersion: String(rv) } };
      map.set(keyOf(object), stored);
      emit({ rv, plural, type, object: stored });
    },
    delete(plural, namespace, name) {
      const map = objects.get(plural);
      const k = `${namespace ?? ''}/${name}`;
      const old = map?.get(k);
      if (!map || !old) return;
      rv++;
      map.delete(k);
      emit({
        rv,
        plural,
        type: 'DELETED',
        object: { ...old, metadata: { ...old.metadata, resourceVersion: String(rv) } },
      });
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
