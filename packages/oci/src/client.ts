/**
 * A small OCI distribution-spec client: manifests, blobs, uploads, tags, referrers. Everything a
 * registry answers is untrusted: bodies are capped, digests recomputed from the bytes received
 * (Docker-Content-Digest is only compared, never believed), documents parsed with limits.
 */
import { InputError, InternalError, sha256Hex, UsageError } from '@modelseal/core';
import { type CredentialResolver, repositoryScope } from './auth.ts';
import {
  type Descriptor,
  MANIFEST_ACCEPT,
  type ManifestDocument,
  MEDIA,
  parseManifest,
} from './documents.ts';
import { type HttpResponse, header } from './http.ts';
import { parseDigest, type Reference, registryApiHost } from './reference.ts';
import { ERROR_BODY, expectStatus, jsonBody, mismatch, nextLink } from './responses.ts';
import { openSession, type Session } from './session.ts';

export interface RegistryClientOptions {
  readonly credentials?: CredentialResolver;
  /** PEM of the CA(s) that sign the registry's certificate, in addition to the system's */
  readonly ca?: string | Buffer | readonly (string | Buffer)[];
  /** plain HTTP, for loopback registries only */
  readonly allowInsecure?: boolean;
  /** per request: connect, headers and body together; default 30 s */
  readonly timeoutMs?: number;
  /** default 4 MiB, the limit most registries enforce on their side */
  readonly maxManifestBytes?: number;
  /** default 64 MiB: the client holds blobs in memory (bundles, configs), never model weights */
  readonly maxBlobBytes?: number;
  readonly userAgent?: string;
  readonly log?: (line: string) => void;
}

export type Repository = Pick<Reference, 'registry' | 'repository'>;

export interface FetchedManifest {
  readonly digest: string;
  readonly mediaType: string;
  readonly size: number;
  readonly bytes: Uint8Array;
  readonly document: ManifestDocument;
  /** for If-Match on a later update */
  readonly etag?: string;
}

export interface RegistryClient {
  getManifest(ref: Reference): Promise<FetchedManifest>;
  /** tag or digest -> the digest of the bytes the registry serves for it */
  resolve(ref: Reference): Promise<Descriptor & { readonly tag?: string }>;
  getBlob(repo: Repository, digest: string, maxBytes?: number): Promise<Uint8Array>;
  /** the blob's size, or undefined when the registry does not have it */
  headBlob(repo: Repository, digest: string): Promise<number | undefined>;
  pushBlob(repo: Repository, bytes: Uint8Array, mediaType: string): Promise<Descriptor>;
  putManifest(
    repo: Repository,
    tagOrDigest: string,
    bytes: Uint8Array,
    mediaType: string,
    opts?: { readonly ifMatch?: string },
  ): Promise<{ readonly digest: string; readonly subject?: string }>;
  listTags(repo: Repository): Promise<string[]>;
  /** the referrers index, or undefined when the registry has no referrers API (404) */
  referrers(repo: Repository, digest: string, artifactType?: string): Promise<ManifestDocument | undefined>;
}

const MAX_TAG_PAGES = 50;
const MAX_REFERRER_PAGES = 20;

export function registryClient(options: RegistryClientOptions = {}): RegistryClient {
  const opts = {
    timeoutMs: options.timeoutMs ?? 30_000,
    maxManifestBytes: options.maxManifestBytes ?? 4 * 1024 * 1024,
    maxBlobBytes: options.maxBlobBytes ?? 64 * 1024 * 1024,
    allowInsecure: options.allowInsecure ?? false,
    userAgent: options.userAgent ?? 'modelseal',
    ...(options.ca !== undefined ? { ca: options.ca } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    ...(options.log ? { log: options.log } : {}),
  };
  const sessions = new Map<string, Session>();
  const session = (repo: Repository): Session => {
    const key = `${repo.registry}/${repo.repository}`;
    let s = sessions.get(key);
    if (!s) {
      s = openSession(registryApiHost(repo.registry), repo.registry, repo.repository, opts);
      sessions.set(key, s);
    }
    return s;
  };
  const url = (repo: Repository, path: string) =>
    new URL(`/v2/${repo.repository}/${path}`, session(repo).base);

  async function getManifest(ref: Reference): Promise<FetchedManifest> {
    const wanted = ref.digest ?? ref.tag ?? 'latest';
    const what = `manifest ${ref.repository}${ref.digest ? `@${ref.digest}` : `:${wanted}`}`;
    const res = await session(ref).send(
      {
        method: 'GET',
        url: url(ref, `manifests/${wanted}`),
        headers: { accept: MANIFEST_ACCEPT },
        maxBytes: opts.maxManifestBytes,
        what,
      },
      repositoryScope(ref.repository, false),
    );
    expectStatus(res, [200], what, 'MANIFEST_NOT_FOUND');
    const digest = `sha256:${sha256Hex(res.body)}`;
    if (ref.digest !== undefined && digest !== ref.digest) throw mismatch(what, ref.digest, digest);
    const claimed = header(res, 'docker-content-digest');
    if (claimed?.startsWith('sha256:') && claimed !== digest) {
      throw mismatch(`${what} (Docker-Content-Digest)`, claimed, digest);
    }
    const document = parseManifest(res.body, header(res, 'content-type'), what);
    const etag = header(res, 'etag');
    return Object.freeze({
      digest,
      mediaType: document.mediaType,
      size: res.body.byteLength,
      bytes: res.body,
      document,
      ...(etag !== undefined ? { etag } : {}),
    });
  }

  async function resolve(ref: Reference): Promise<Descriptor & { tag?: string }> {
    const m = await getManifest(ref);
    return Object.freeze({
      mediaType: m.mediaType,
      digest: m.digest,
      size: m.size,
      ...(m.document.artifactType !== undefined ? { artifactType: m.document.artifactType } : {}),
      ...(ref.tag !== undefined ? { tag: ref.tag } : {}),
    });
  }

  async function getBlob(
    repo: Repository,
    digest: string,
    maxBytes = opts.maxBlobBytes,
  ): Promise<Uint8Array> {
    parseDigest(digest, 'blob digest');
    const what = `blob ${repo.repository}@${digest}`;
    const res = await session(repo).send(
      { method: 'GET', url: url(repo, `blobs/${digest}`), headers: {}, maxBytes, what },
      repositoryScope(repo.repository, false),
    );
    expectStatus(res, [200], what, 'BLOB_NOT_FOUND');
    const got = `sha256:${sha256Hex(res.body)}`;
    if (got !== digest) throw mismatch(what, digest, got);
    return res.body;
  }

  async function headBlob(repo: Repository, digest: string, push = false): Promise<number | undefined> {
    parseDigest(digest, 'blob digest');
    const what = `blob ${repo.repository}@${digest}`;
    const res = await session(repo).send(
      { method: 'HEAD', url: url(repo, `blobs/${digest}`), headers: {}, maxBytes: 0, what },
      repositoryScope(repo.repository, push),
    );
    if (res.status === 404) return undefined;
    expectStatus(res, [200], what, 'BLOB_NOT_FOUND');
    const size = Number(header(res, 'content-length'));
    return Number.isSafeInteger(size) && size >= 0 ? size : undefined;
  }

  async function pushBlob(repo: Repository, bytes: Uint8Array, mediaType: string): Promise<Descriptor> {
    const digest = `sha256:${sha256Hex(bytes)}`;
    const descriptor = Object.freeze({ mediaType, digest, size: bytes.byteLength });
    if ((await headBlob(repo, digest, true)) === bytes.byteLength) return descriptor;
    const what = `upload of blob ${digest} to ${repo.repository}`;
    const scope = repositoryScope(repo.repository, true);
    const s = session(repo);
    const started = await s.send(
      {
        method: 'POST',
        url: url(repo, 'blobs/uploads/'),
        headers: {},
        body: new Uint8Array(0),
        maxBytes: ERROR_BODY,
        what,
      },
      scope,
    );
    expectStatus(started, [202], what, 'REPOSITORY_NOT_FOUND');
    const location = header(started, 'location');
    if (location === undefined) {
      throw new InternalError({
        code: 'REGISTRY_BAD_RESPONSE',
        message: `${what}: no upload Location in the answer`,
      });
    }
    const put = new URL(location, s.base);
    put.searchParams.set('digest', digest);
    const done = await s.send(
      {
        method: 'PUT',
        url: put,
        headers: { 'content-type': 'application/octet-stream' },
        body: bytes,
        maxBytes: ERROR_BODY,
        what,
      },
      scope,
    );
    expectStatus(done, [201], what, 'BLOB_UPLOAD_UNKNOWN');
    const claimed = header(done, 'docker-content-digest');
    if (claimed !== undefined && claimed !== digest) throw mismatch(what, digest, claimed);
    return descriptor;
  }

  async function putManifest(
    repo: Repository,
    tagOrDigest: string,
    bytes: Uint8Array,
    mediaType: string,
    putOpts: { ifMatch?: string } = {},
  ): Promise<{ digest: string; subject?: string }> {
    const digest = `sha256:${sha256Hex(bytes)}`;
    if (tagOrDigest.includes(':') && parseDigest(tagOrDigest) !== digest) {
      throw mismatch(`manifest for ${repo.repository}`, tagOrDigest, digest);
    }
    const what = `manifest ${repo.repository}${tagOrDigest.includes(':') ? '@' : ':'}${tagOrDigest}`;
    if (bytes.byteLength > opts.maxManifestBytes) {
      throw new UsageError({
        code: 'MANIFEST_TOO_LARGE',
        message: `${what} is ${bytes.byteLength} bytes, over the ${opts.maxManifestBytes}-byte limit`,
      });
    }
    const res = await session(repo).send(
      {
        method: 'PUT',
        url: url(repo, `manifests/${tagOrDigest}`),
        headers: {
          'content-type': mediaType,
          ...(putOpts.ifMatch !== undefined ? { 'if-match': putOpts.ifMatch } : {}),
        },
        body: bytes,
        maxBytes: ERROR_BODY,
        what,
      },
      repositoryScope(repo.repository, true),
    );
    expectStatus(res, [201], what, 'REPOSITORY_NOT_FOUND');
    const claimed = header(res, 'docker-content-digest');
    if (claimed !== undefined && claimed !== digest) throw mismatch(what, digest, claimed);
    const subject = header(res, 'oci-subject');
    return Object.freeze({ digest, ...(subject !== undefined ? { subject } : {}) });
  }

  async function listTags(repo: Repository): Promise<string[]> {
    const tags: string[] = [];
    let next: URL | undefined = url(repo, 'tags/list');
    for (let page = 0; next !== undefined; page++) {
      if (page >= MAX_TAG_PAGES) {
        throw new InternalError({
          code: 'REGISTRY_BAD_RESPONSE',
          message: `tags of ${repo.repository}: more than ${MAX_TAG_PAGES} pages`,
        });
      }
      const what = `tags of ${repo.repository}`;
      const res: HttpResponse = await session(repo).send(
        {
          method: 'GET',
          url: next,
          headers: { accept: 'application/json' },
          maxBytes: opts.maxManifestBytes,
          what,
        },
        repositoryScope(repo.repository, false),
      );
      expectStatus(res, [200], what, 'REPOSITORY_NOT_FOUND');
      const doc = jsonBody(res, what) as { tags?: unknown };
      if (doc.tags !== null && doc.tags !== undefined) {
        if (!Array.isArray(doc.tags) || doc.tags.some((t) => typeof t !== 'string')) {
          throw new InternalError({
            code: 'REGISTRY_BAD_RESPONSE',
            message: `${what}: "tags" is not a list of strings`,
          });
        }
        tags.push(...(doc.tags as string[]));
      }
      next = nextLink(res, session(repo).base);
    }
    return tags;
  }

  async function referrers(
    repo: Repository,
    digest: string,
    artifactType?: string,
  ): Promise<ManifestDocument | undefined> {
    parseDigest(digest, 'subject digest');
    const what = `referrers of ${repo.repository}@${digest}`;
    const all: Descriptor[] = [];
    let next: URL | undefined = url(repo, `referrers/${digest}`);
    if (artifactType !== undefined) next.searchParams.set('artifactType', artifactType);
    for (let page = 0; next !== undefined && page < MAX_REFERRER_PAGES; page++) {
      const res: HttpResponse = await session(repo).send(
        {
          method: 'GET',
          url: next,
          headers: { accept: MEDIA.ociIndex },
          maxBytes: opts.maxManifestBytes,
          what,
        },
        repositoryScope(repo.repository, false),
      );
      // the spec forbids 404 from a registry that has the API: 404 means "fall back to the tag"
      if (res.status === 404 && page === 0) return undefined;
      expectStatus(res, [200], what, 'MANIFEST_NOT_FOUND');
      const doc = parseManifest(res.body, header(res, 'content-type') ?? MEDIA.ociIndex, what);
      if (doc.kind !== 'index') {
        throw new InputError({ code: 'MANIFEST_INVALID', message: `${what}: the answer is not an index` });
      }
      all.push(...doc.manifests);
      next = nextLink(res, session(repo).base);
    }
    return Object.freeze({ kind: 'index', mediaType: MEDIA.ociIndex, manifests: all, annotations: {} });
  }

  return Object.freeze({
    getManifest,
    resolve,
    getBlob,
    headBlob,
    pushBlob,
    putManifest,
    listTags,
    referrers,
  });
}
