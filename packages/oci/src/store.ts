/**
 * Attestations kept in the registry beside the model, in cosign v3's layout, so either tool finds
 * the other's bundles. Same find/put shape as @modelseal/store's Store (structurally: this package
 * does not import the store package, which will import this one for `oci://`).
 */
import { InputError, isModelsealError, sha256Hex, UsageError, utf8 } from '@modelseal/core';
import { artifactBinding, type StatementBinding } from './binding.ts';
import { peekBundle } from './bundle-peek.ts';
import type { RegistryClient, Repository } from './client.ts';
import { type Descriptor, descriptorJson, EMPTY_CONFIG, type ManifestDocument, MEDIA } from './documents.ts';
import { omsFromArtifact } from './modelpack.ts';
import { parseDigest, parseReference } from './reference.ts';
import { addReferrer, loadReferrersIndex } from './referrers-tag.ts';

export const ANNOTATION_CONTENT = 'dev.sigstore.bundle.content';
export const ANNOTATION_PREDICATE = 'dev.sigstore.bundle.predicateType';
const ANNOTATION_CREATED = 'org.opencontainers.image.created';

export interface OciStoredBundle {
  readonly bundle: Uint8Array;
  /** `oci://registry/repo@<referrer manifest digest>` */
  readonly source: string;
  /** read from the bundle's payload and checked against the annotation; the verified statement decides */
  readonly predicateType?: string;
  /** the referrer manifest's `subject.digest`: always the digest asked for (others are skipped) */
  readonly subject: string;
  readonly referrer: string;
}

export interface OciStoreFailure {
  readonly code: string;
  readonly message: string;
  readonly source: string;
}

export type OciFoundBundles = readonly OciStoredBundle[] & {
  readonly failures: readonly OciStoreFailure[];
  /**
   * Set when the subject is a ModelPack manifest of raw layers in this repository: whether a
   * verified OMS statement signs exactly its files (a directory signature then counts for it).
   */
  readonly binds?: StatementBinding;
};

export interface OciStoreOptions {
  readonly maxBundleBytes?: number;
  readonly maxBundlesPerSubject?: number;
  /** the created annotation; default the current time */
  readonly now?: () => Date;
}

export interface OciStore {
  readonly location: string;
  find(subjectDigest: string, predicateType?: string): Promise<OciFoundBundles>;
  /** pushes the bundle as a referrer of the model manifest `subjectDigest`; returns its source */
  put(subjectDigest: string, predicateType: string, bundle: Uint8Array): Promise<string>;
}

/** `oci://registry/repository` -> the repository (no tag or digest: bundles are found by subject) */
export function parseOciStoreSpec(spec: string): Repository {
  const rest =
    typeof spec === 'string' && spec.startsWith('oci://') ? spec.slice('oci://'.length) : undefined;
  if (
    rest === undefined ||
    rest.includes('@') ||
    /:[^/]*$/.test(rest.slice(rest.indexOf('/') + 1)) ||
    !rest.includes('/')
  ) {
    throw new UsageError({
      code: 'STORE_BAD_SPEC',
      message:
        'an OCI store is written oci://registry/repository (no tag or digest: bundles are found by subject)',
    });
  }
  const ref = parseReference(rest);
  return { registry: ref.registry, repository: ref.repository };
}

/** A registry that cannot be reached ends the lookup: a partial answer must not look complete. */
function isOutage(e: unknown): boolean {
  return (
    isModelsealError(e) &&
    [
      'REGISTRY_UNREACHABLE',
      'REGISTRY_TIMEOUT',
      'REGISTRY_UNAVAILABLE',
      'REGISTRY_AUTH_FAILED',
      'REGISTRY_TLS_FAILED',
    ].includes(e.code)
  );
}

export function ociStore(client: RegistryClient, repo: Repository, options: OciStoreOptions = {}): OciStore {
  const maxBundleBytes = options.maxBundleBytes ?? 64 * 1024 * 1024;
  const maxBundles = options.maxBundlesPerSubject ?? 256;
  const now = options.now ?? (() => new Date());
  const location = `oci://${repo.registry}/${repo.repository}`;
  const at = (digest: string) => `${location}@${digest}`;

  async function find(subjectDigest: string, predicateType?: string): Promise<OciFoundBundles> {
    const subject = parseDigest(subjectDigest, 'subject digest');
    const failures: OciStoreFailure[] = [];
    const found: OciStoredBundle[] = [];
    const fail = (code: string, message: string, source: string) => failures.push({ code, message, source });

    const [listed, binds] = await Promise.all([listReferrers(subject, fail), bindingOf(subject)]);
    const done = () => Object.assign(found, { failures, ...(binds ? { binds } : {}) });
    const seen = new Set<string>();
    let candidates = listed.filter((d) => {
      if (seen.has(d.digest)) return false;
      seen.add(d.digest);
      if (d.artifactType !== undefined && d.artifactType !== MEDIA.sigstoreBundle) {
        fail(
          'OCI_REFERRER_FOREIGN',
          `a referrer of type ${d.artifactType.slice(0, 100)} is not a Sigstore bundle; skipped`,
          at(d.digest),
        );
        return false;
      }
      const annotated = d.annotations?.[ANNOTATION_PREDICATE];
      return predicateType === undefined || annotated === undefined || annotated === predicateType;
    });
    if (candidates.length > maxBundles) {
      fail(
        'STORE_TOO_MANY_BUNDLES',
        `${candidates.length} referrers; only the first ${maxBundles} were read`,
        at(subject),
      );
      candidates = candidates.slice(0, maxBundles);
    }
    for (const d of candidates) {
      try {
        const got = await readReferrer(d, subject, predicateType, fail);
        if (got) found.push(got);
      } catch (e) {
        if (isOutage(e)) throw e;
        const err = isModelsealError(e) ? e : undefined;
        fail(err?.code ?? 'OCI_REFERRER_UNREADABLE', `${err?.message ?? String(e)}; skipped`, at(d.digest));
      }
    }
    return done();
  }

  async function listReferrers(
    subject: string,
    fail: (code: string, message: string, source: string) => void,
  ): Promise<readonly Descriptor[]> {
    const api = await client.referrers(repo, subject, MEDIA.sigstoreBundle);
    if (api !== undefined) return api.kind === 'index' ? api.manifests : [];
    const tag = await loadReferrersIndex(client, repo, subject);
    if (tag.kind === 'invalid') {
      fail('OCI_REFERRERS_TAG_INVALID', tag.message, location);
      return [];
    }
    return tag.manifests;
  }

  /** The subject's own manifest, when it is here and a ModelPack of raw files; else no binding. */
  async function bindingOf(subject: string): Promise<StatementBinding | undefined> {
    let doc: ManifestDocument;
    try {
      doc = (await client.getManifest({ ...repo, digest: subject })).document;
    } catch (e) {
      if (isOutage(e)) throw e;
      return undefined;
    }
    try {
      return artifactBinding(omsFromArtifact(doc, repo.repository.split('/').pop() ?? repo.repository));
    } catch {
      // a container image, tar layers, an index: only statements naming the digest itself count
      return undefined;
    }
  }

  async function readReferrer(
    d: Descriptor,
    subject: string,
    predicateType: string | undefined,
    fail: (code: string, message: string, source: string) => void,
  ): Promise<OciStoredBundle | undefined> {
    const source = at(d.digest);
    const skip = (code: string, why: string) => {
      fail(code, `${why}; skipped`, source);
      return undefined;
    };
    if (d.mediaType !== MEDIA.ociManifest)
      return skip('OCI_REFERRER_FOREIGN', `a referrer of media type ${d.mediaType.slice(0, 100)}`);
    const m = await client.getManifest({ ...repo, digest: parseDigest(d.digest, 'referrer digest') });
    const doc: ManifestDocument = m.document;
    if (doc.kind !== 'image')
      return skip('OCI_REFERRER_FOREIGN', 'the referrer is an index, not a bundle manifest');
    if ((doc.artifactType ?? doc.config.mediaType) !== MEDIA.sigstoreBundle) {
      return skip('OCI_REFERRER_FOREIGN', 'the referrer manifest is not a Sigstore bundle');
    }
    // the index may list anything: only the manifest's own subject binds it (GHSA-w6c6-c85g-mmv6)
    if (doc.subject?.digest !== subject) {
      return skip(
        'OCI_REFERRER_WRONG_SUBJECT',
        `the referrer's subject is ${doc.subject?.digest ?? 'missing'}, not ${subject}`,
      );
    }
    const layer = doc.layers[0];
    if (doc.layers.length !== 1 || layer === undefined || layer.mediaType !== MEDIA.sigstoreBundle) {
      return skip('OCI_REFERRER_MALFORMED', 'a bundle manifest must have exactly one bundle layer');
    }
    if (layer.size > maxBundleBytes) {
      return skip(
        'STORE_BUNDLE_TOO_LARGE',
        `the bundle is ${layer.size} bytes, over the ${maxBundleBytes}-byte limit`,
      );
    }
    const bytes = await client.getBlob(repo, layer.digest, maxBundleBytes);
    const peek = peekBundle(bytes, source, maxBundleBytes);
    if (peek === undefined) return skip('STORE_NOT_JSON', 'the layer is not a Sigstore bundle');
    const annotated = doc.annotations[ANNOTATION_PREDICATE];
    if (annotated !== undefined && peek.predicateType !== undefined && annotated !== peek.predicateType) {
      return skip(
        'OCI_PREDICATE_TYPE_MISMATCH',
        `annotated ${annotated.slice(0, 100)} but the payload says ${peek.predicateType.slice(0, 100)}`,
      );
    }
    const type = peek.predicateType ?? annotated;
    if (predicateType !== undefined && type !== predicateType) return undefined;
    return Object.freeze({
      bundle: bytes,
      source,
      ...(type !== undefined ? { predicateType: type } : {}),
      subject,
      referrer: m.digest,
    });
  }

  async function put(subjectDigest: string, predicateType: string, bundle: Uint8Array): Promise<string> {
    const subject = parseDigest(subjectDigest, 'subject digest');
    if (typeof predicateType !== 'string' || predicateType === '' || predicateType.length > 1024) {
      throw new InputError({
        code: 'STORE_BAD_PREDICATE_TYPE',
        message: 'predicate type must be 1 to 1024 characters',
      });
    }
    const peek = peekBundle(bundle, 'the bundle to store', maxBundleBytes);
    if (peek === undefined)
      throw new InputError({
        code: 'STORE_NOT_JSON',
        message: 'the bundle to store is not a Sigstore bundle',
      });
    if (peek.predicateType !== undefined && peek.predicateType !== predicateType) {
      throw new InputError({
        code: 'OCI_PREDICATE_TYPE_MISMATCH',
        message: `the bundle's statement is ${peek.predicateType.slice(0, 100)}, not ${predicateType.slice(0, 100)}`,
      });
    }
    const target = await client.getManifest({ ...repo, digest: subject });
    const subjectDescriptor: Descriptor = {
      mediaType: target.mediaType,
      digest: target.digest,
      size: target.size,
    };
    await client.pushBlob(repo, utf8('{}'), MEDIA.empty);
    const layer = await client.pushBlob(repo, bundle, MEDIA.sigstoreBundle);
    const annotations = {
      [ANNOTATION_CONTENT]: peek.content,
      [ANNOTATION_PREDICATE]: predicateType,
      [ANNOTATION_CREATED]: now().toISOString(),
    };
    const manifest = utf8(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MEDIA.ociManifest,
        artifactType: MEDIA.sigstoreBundle,
        config: descriptorJson(EMPTY_CONFIG),
        layers: [descriptorJson(layer)],
        subject: descriptorJson(subjectDescriptor),
        annotations,
      }),
    );
    const pushed = await client.putManifest(
      repo,
      `sha256:${sha256Hex(manifest)}`,
      manifest,
      MEDIA.ociManifest,
    );
    if (pushed.subject === undefined) {
      // no OCI-Subject header: the registry did not index the subject, so keep the tag schema index
      await addReferrer(client, repo, subject, {
        mediaType: MEDIA.ociManifest,
        digest: pushed.digest,
        size: manifest.byteLength,
        artifactType: MEDIA.sigstoreBundle,
        annotations,
      });
    }
    return at(pushed.digest);
  }

  return Object.freeze({ location, find, put });
}
