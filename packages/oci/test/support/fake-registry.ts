/**
 * A small in-memory registry for what Debian's Distribution 2.8 cannot show: the OCI 1.1
 * referrers API (with OCI-Subject on manifest PUT), If-Match / 412 on tag updates, bearer-token
 * auth, and hand-made hostile answers. Test code only; it implements just what the tests use.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRegistryOptions {
  /** serve GET /v2/<name>/referrers/<digest> and answer OCI-Subject; default true */
  referrers?: boolean;
  /** require a bearer token from /token, handed out for these basic credentials */
  bearer?: { user: string; password: string; refreshToken?: string };
  /** answer the first N tag PUTs that carry If-Match with 412, as if another writer won */
  conflicts?: number;
  /** return a response to take over a request, or undefined to serve it normally */
  intercept?: (req: IncomingMessage, res: ServerResponse) => boolean;
}

export interface FakeRegistry {
  readonly host: string;
  readonly seenAuthorization: string[];
  readonly ifMatchSeen: string[];
  manifests: Map<string, { bytes: Buffer; mediaType: string }>;
  tags: Map<string, string>;
  close(): Promise<void>;
}

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const TOKEN = 'fake-bearer-token-7f3a';

export async function startFakeRegistry(opts: FakeRegistryOptions = {}): Promise<FakeRegistry> {
  const blobs = new Map<string, Buffer>();
  const manifests = new Map<string, { bytes: Buffer; mediaType: string }>();
  const tags = new Map<string, string>();
  const seenAuthorization: string[] = [];
  const ifMatchSeen: string[] = [];
  let conflicts = opts.conflicts ?? 0;
  const referrersOn = opts.referrers ?? true;
  let host = '';

  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
  const notFound = (res: ServerResponse, code: string) =>
    json(res, 404, { errors: [{ code, message: 'unknown' }] });

  const handle = (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const url = new URL(req.url ?? '/', `http://${host}`);
    if (req.headers.authorization) seenAuthorization.push(req.headers.authorization);
    if (opts.intercept?.(req, res)) return;
    if (url.pathname === '/token') {
      if (req.method === 'POST') {
        const form = new URLSearchParams(body.toString());
        const ok =
          form.get('grant_type') === 'refresh_token' &&
          form.get('refresh_token') === opts.bearer?.refreshToken;
        return ok
          ? json(res, 200, { access_token: TOKEN })
          : json(res, 401, { errors: [{ code: 'UNAUTHORIZED' }] });
      }
      const want = `Basic ${Buffer.from(`${opts.bearer?.user}:${opts.bearer?.password}`).toString('base64')}`;
      if (req.headers.authorization !== want) return json(res, 401, { errors: [{ code: 'UNAUTHORIZED' }] });
      return json(res, 200, { token: TOKEN, expires_in: 300 });
    }
    if (opts.bearer && req.headers.authorization !== `Bearer ${TOKEN}`) {
      return json(
        res,
        401,
        { errors: [{ code: 'UNAUTHORIZED' }] },
        {
          'www-authenticate': `Bearer realm="http://${host}/token",service="fake-registry",scope="registry:catalog:*"`,
        },
      );
    }
    if (url.pathname === '/v2/') return json(res, 200, {});
    const m = /^\/v2\/(.+)\/(manifests|blobs|referrers|tags)\/(.*)$/.exec(url.pathname);
    if (!m) return notFound(res, 'NAME_UNKNOWN');
    const name = m[1]!;
    const kind = m[2]!;
    const rest = m[3]!;
    if (kind === 'blobs') {
      if (rest === 'uploads/' && req.method === 'POST') {
        return res.writeHead(202, { location: `/v2/${name}/blobs/uploads/${randomUUID()}` }).end();
      }
      if (rest.startsWith('uploads/') && req.method === 'PUT') {
        const digest = url.searchParams.get('digest') ?? '';
        if (sha(body) !== digest) return json(res, 400, { errors: [{ code: 'DIGEST_INVALID' }] });
        blobs.set(digest, body);
        return res
          .writeHead(201, { 'docker-content-digest': digest, location: `/v2/${name}/blobs/${digest}` })
          .end();
      }
      const blob = blobs.get(rest);
      if (!blob) return notFound(res, 'BLOB_UNKNOWN');
      res.writeHead(200, { 'content-length': String(blob.length), 'docker-content-digest': rest });
      return res.end(req.method === 'HEAD' ? undefined : blob);
    }
    if (kind === 'manifests') {
      const key = `${name}@${rest.startsWith('sha256:') ? rest : (tags.get(`${name}:${rest}`) ?? '')}`;
      if (req.method === 'PUT') {
        const digest = sha(body);
        if (rest.startsWith('sha256:') && rest !== digest)
          return json(res, 400, { errors: [{ code: 'DIGEST_INVALID' }] });
        if (!rest.startsWith('sha256:')) {
          const ifMatch = req.headers['if-match'];
          if (typeof ifMatch === 'string') {
            ifMatchSeen.push(ifMatch);
            const current = tags.get(`${name}:${rest}`);
            if (conflicts > 0 || (current !== undefined && ifMatch !== `"${current}"`)) {
              conflicts--;
              return json(res, 412, { errors: [{ code: 'PRECONDITION_FAILED' }] });
            }
          }
          tags.set(`${name}:${rest}`, digest);
        }
        manifests.set(`${name}@${digest}`, { bytes: body, mediaType: String(req.headers['content-type']) });
        const subject = (JSON.parse(body.toString()) as { subject?: { digest: string } }).subject;
        const extra: Record<string, string> = subject && referrersOn ? { 'oci-subject': subject.digest } : {};
        return res.writeHead(201, { 'docker-content-digest': digest, ...extra }).end();
      }
      const got = manifests.get(key);
      if (!got) return notFound(res, 'MANIFEST_UNKNOWN');
      const digest = key.slice(key.indexOf('@') + 1);
      res.writeHead(200, {
        'content-type': got.mediaType,
        'docker-content-digest': digest,
        etag: `"${digest}"`,
      });
      return res.end(req.method === 'HEAD' ? undefined : got.bytes);
    }
    if (kind === 'referrers' && referrersOn) {
      const filter = url.searchParams.get('artifactType');
      const list = [];
      for (const [k, v] of manifests) {
        if (!k.startsWith(`${name}@`)) continue;
        const doc = JSON.parse(v.bytes.toString()) as {
          subject?: { digest: string };
          artifactType?: string;
          annotations?: Record<string, string>;
        };
        if (doc.subject?.digest !== rest) continue;
        if (filter && doc.artifactType !== filter) continue;
        list.push({
          mediaType: v.mediaType,
          digest: k.slice(k.indexOf('@') + 1),
          size: v.bytes.length,
          ...(doc.artifactType ? { artifactType: doc.artifactType } : {}),
          ...(doc.annotations ? { annotations: doc.annotations } : {}),
        });
      }
      return json(
        res,
        200,
        { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: list },
        {
          'content-type': 'application/vnd.oci.image.index.v1+json',
          ...(filter ? { 'oci-filters-applied': 'artifactType' } : {}),
        },
      );
    }
    return notFound(res, 'NAME_UNKNOWN');
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks)));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    host,
    seenAuthorization,
    ifMatchSeen,
    manifests,
    tags,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
