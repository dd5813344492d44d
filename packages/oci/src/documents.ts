/** OCI / Docker manifest documents: media types, parsing with limits, and building. Pure. */
import { InputError, isRecord, parseJson } from '@modelseal/core';

export const MEDIA = Object.freeze({
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  empty: 'application/vnd.oci.empty.v1+json',
  sigstoreBundle: 'application/vnd.dev.sigstore.bundle.v0.3+json',
});

/** `{}`: the OCI empty descriptor's content */
export const EMPTY_CONFIG = Object.freeze({
  mediaType: MEDIA.empty,
  digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
  size: 2,
});

export const MANIFEST_ACCEPT = [
  MEDIA.ociManifest,
  MEDIA.ociIndex,
  MEDIA.dockerManifest,
  MEDIA.dockerList,
].join(', ');

export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly artifactType?: string;
  readonly annotations?: Readonly<Record<string, string>>;
}

export type ManifestDocument =
  | {
      readonly kind: 'image';
      readonly mediaType: string;
      readonly artifactType?: string;
      readonly config: Descriptor;
      readonly layers: readonly Descriptor[];
      readonly subject?: Descriptor;
      readonly annotations: Readonly<Record<string, string>>;
    }
  | {
      readonly kind: 'index';
      readonly mediaType: string;
      readonly artifactType?: string;
      readonly manifests: readonly Descriptor[];
      readonly subject?: Descriptor;
      readonly annotations: Readonly<Record<string, string>>;
    };

const DIGEST_RE = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
const MAX_ENTRIES = 10_000;

function invalid(what: string, why: string): InputError {
  return new InputError({ code: 'MANIFEST_INVALID', message: `${what} is not a valid manifest: ${why}` });
}

function annotations(v: unknown, what: string): Record<string, string> {
  if (v === undefined) return {};
  if (!isRecord(v)) throw invalid(what, 'annotations is not an object');
  const out: Record<string, string> = Object.create(null);
  for (const [k, val] of Object.entries(v)) {
    if (typeof val !== 'string')
      throw invalid(what, `annotation ${JSON.stringify(k.slice(0, 80))} is not a string`);
    out[k] = val;
  }
  return out;
}

export function parseDescriptor(v: unknown, what: string): Descriptor {
  if (!isRecord(v)) throw invalid(what, 'a descriptor is not an object');
  const { mediaType, digest, size, artifactType } = v;
  if (typeof mediaType !== 'string' || mediaType === '' || mediaType.length > 255) {
    throw invalid(what, 'a descriptor has no mediaType');
  }
  if (typeof digest !== 'string' || digest.length > 200 || !DIGEST_RE.test(digest)) {
    throw invalid(what, 'a descriptor has a malformed digest');
  }
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw invalid(what, 'a descriptor has no valid size');
  }
  if (artifactType !== undefined && typeof artifactType !== 'string') {
    throw invalid(what, 'a descriptor has a non-string artifactType');
  }
  const ann = annotations(v.annotations, what);
  return Object.freeze({
    mediaType,
    digest,
    size,
    ...(artifactType !== undefined ? { artifactType } : {}),
    ...(Object.keys(ann).length > 0 ? { annotations: ann } : {}),
  });
}

function descriptors(v: unknown, field: string, what: string): Descriptor[] {
  if (!Array.isArray(v)) throw invalid(what, `${field} is not an array`);
  if (v.length > MAX_ENTRIES) throw invalid(what, `${field} has more than ${MAX_ENTRIES} entries`);
  return v.map((d) => parseDescriptor(d, what));
}

/**
 * Parses a manifest or index. The type comes from the body's mediaType, else the Content-Type the
 * registry sent, else the fields present (OCI makes mediaType optional).
 */
export function parseManifest(
  bytes: Uint8Array,
  contentType: string | undefined,
  what: string,
): ManifestDocument {
  let doc: unknown;
  try {
    doc = parseJson(bytes, what, { maxBytes: bytes.byteLength, maxDepth: 16 });
  } catch (e) {
    throw new InputError({
      code: 'MANIFEST_INVALID',
      message: `${what} is not a JSON manifest (${(e as Error).message})`,
      cause: e,
    });
  }
  if (!isRecord(doc)) throw invalid(what, 'not a JSON object');
  if (doc.schemaVersion !== 2)
    throw invalid(what, 'schemaVersion is not 2 (schema 1 manifests are not supported)');
  const bodyType = doc.mediaType;
  if (bodyType !== undefined && typeof bodyType !== 'string')
    throw invalid(what, 'mediaType is not a string');
  const headerType = contentType?.split(';')[0]?.trim().toLowerCase();
  const mediaType =
    bodyType ??
    (headerType && headerType !== 'application/json' && headerType !== 'application/octet-stream'
      ? headerType
      : Array.isArray(doc.manifests)
        ? MEDIA.ociIndex
        : MEDIA.ociManifest);
  if (doc.artifactType !== undefined && typeof doc.artifactType !== 'string') {
    throw invalid(what, 'artifactType is not a string');
  }
  const common = {
    mediaType,
    ...(typeof doc.artifactType === 'string' ? { artifactType: doc.artifactType } : {}),
    ...(doc.subject !== undefined ? { subject: parseDescriptor(doc.subject, what) } : {}),
    annotations: annotations(doc.annotations, what),
  };
  switch (mediaType) {
    case MEDIA.ociManifest:
    case MEDIA.dockerManifest:
      if (doc.manifests !== undefined) throw invalid(what, 'an image manifest with a manifests list');
      return Object.freeze({
        kind: 'image',
        ...common,
        config: parseDescriptor(doc.config, what),
        layers: descriptors(doc.layers ?? [], 'layers', what),
      });
    case MEDIA.ociIndex:
    case MEDIA.dockerList:
      if (doc.layers !== undefined || doc.config !== undefined) throw invalid(what, 'an index with layers');
      return Object.freeze({
        kind: 'index',
        ...common,
        manifests: descriptors(doc.manifests, 'manifests', what),
      });
    default:
      throw new InputError({
        code: 'MANIFEST_UNSUPPORTED',
        message: `${what} has media type ${JSON.stringify(mediaType.slice(0, 100))}, not an OCI or Docker v2 manifest or index`,
      });
  }
}

/** Serializes a descriptor with only the fields it has, in the spec's order. */
export function descriptorJson(d: Descriptor): Record<string, unknown> {
  return {
    mediaType: d.mediaType,
    digest: d.digest,
    size: d.size,
    ...(d.artifactType !== undefined ? { artifactType: d.artifactType } : {}),
    ...(d.annotations !== undefined && Object.keys(d.annotations).length > 0
      ? { annotations: { ...d.annotations } }
      : {}),
  };
}

export function indexJson(manifests: readonly Descriptor[]): Record<string, unknown> {
  return { schemaVersion: 2, mediaType: MEDIA.ociIndex, manifests: manifests.map(descriptorJson) };
}
