/**
 * The OMS manifest of a model artifact, read from its OCI manifest alone: a raw (one-file,
 * uncompressed) layer's digest is the file's SHA-256, its path is in an annotation. Nothing is
 * downloaded; the same manifest then verifies the directory the kubelet unpacks. Pure.
 */
import { type InputCode, InputError } from '@modelseal/core';
import {
  compareResourceNames,
  createManifest,
  GIT_PATHS,
  type Manifest,
  type Resource,
} from '@modelseal/manifest';
import type { Descriptor, ManifestDocument } from './documents.ts';

/** In the order they are read: ModelPack now, ModelPack before v0.0.7, what the Go OMS client reads. */
export const FILEPATH_ANNOTATIONS = Object.freeze([
  'org.cncf.model.filepath',
  'org.cnai.model.filepath',
  'org.opencontainers.image.title',
]);

export interface ArtifactFile {
  readonly path: string;
  readonly digest: string;
  readonly size: number;
  readonly mediaType: string;
}

export interface ArtifactManifest {
  readonly manifest: Manifest;
  readonly files: readonly ArtifactFile[];
  /** layers left out on purpose, with why (e.g. `.gitattributes`, ignored as hashModel does) */
  readonly skipped: readonly { readonly path: string; readonly reason: string }[];
}

const SHA256_RE = /^sha256:([0-9a-f]{64})$/;
const PACKED_RE = /(?:\.tar|\+gzip|\+zstd|\.gzip|\.zstd|\+gz|\.gz|\+bz2|\+xz|\.zip)(?:$|[.+;])/;

export type LayerKind = 'raw' | 'packed' | 'unknown';

export function layerKind(mediaType: string): LayerKind {
  const base = mediaType.split(';')[0]!.trim().toLowerCase();
  if (PACKED_RE.test(base) || base.includes('rootfs.diff')) return 'packed';
  if (base.endsWith('.raw') || base === 'application/octet-stream') return 'raw';
  return 'unknown';
}

function refuse(code: InputCode, message: string, details?: Record<string, unknown>): InputError {
  return new InputError({ code, message, ...(details ? { details } : {}) });
}

/** A POSIX relative path naming a file inside the model; anything that could escape or alias is refused. */
function checkPath(path: string, layer: string): string {
  const bad = (why: string) =>
    refuse(
      'OCI_LAYER_BAD_PATH',
      `layer ${layer} names the file ${JSON.stringify(path.slice(0, 200))}: ${why}`,
    );
  if (path === '' || path.length > 4096) throw bad('empty or longer than 4096 characters');
  if (/[\u0000-\u001f\u007f\\]/.test(path)) throw bad('control characters or a backslash');
  if (path.startsWith('/')) throw bad('an absolute path');
  const parts = path.split('/');
  if (parts.some((p) => p === '' || p === '.' || p === '..')) throw bad('empty, "." or ".." components');
  return path;
}

function filePath(layer: Descriptor): string {
  const ann = layer.annotations ?? {};
  const named = FILEPATH_ANNOTATIONS.map((k) => ann[k]).filter((v): v is string => v !== undefined);
  if (named.length === 0) {
    throw refuse(
      'OCI_LAYER_NO_PATH',
      `layer ${layer.digest} has no file path annotation (${FILEPATH_ANNOTATIONS.join(', ')})`,
      { digest: layer.digest },
    );
  }
  if (named.some((p) => p !== named[0])) {
    throw refuse(
      'OCI_LAYER_PATH_CONFLICT',
      `layer ${layer.digest} names different files in its annotations`,
      {
        digest: layer.digest,
      },
    );
  }
  return checkPath(named[0]!, layer.digest);
}

/**
 * Builds the OMS `files`/sha256 manifest of an image manifest whose layers are all raw files.
 * Refuses (coded) an index, a tar or compressed layer, a layer without a path, and paths that
 * repeat, collide with a directory, or could escape the model directory.
 */
export function omsFromArtifact(doc: ManifestDocument, modelName: string): ArtifactManifest {
  if (doc.kind !== 'image') {
    throw refuse(
      'OCI_NOT_A_MODEL_MANIFEST',
      'the reference names an index (several manifests); name one manifest by its digest',
    );
  }
  if (doc.layers.length === 0) throw refuse('OCI_NO_LAYERS', 'the artifact has no layers: nothing to sign');
  const ignored = new Set<string>(GIT_PATHS);
  const files: ArtifactFile[] = [];
  const skipped: { path: string; reason: string }[] = [];
  for (const layer of doc.layers) {
    const kind = layerKind(layer.mediaType);
    switch (kind) {
      case 'raw':
        break;
      case 'packed':
        throw refuse(
          'OCI_LAYER_NOT_RAW',
          `layer ${layer.digest} (${layer.mediaType}) is an archive or compressed: its digest is not a file's digest; ` +
            'pull the artifact and sign the unpacked directory instead',
          { digest: layer.digest, mediaType: layer.mediaType },
        );
      case 'unknown':
        throw refuse(
          'OCI_LAYER_UNSUPPORTED',
          `layer ${layer.digest} has media type ${JSON.stringify(layer.mediaType.slice(0, 100))}, not a raw file layer`,
          { digest: layer.digest, mediaType: layer.mediaType },
        );
      default: {
        const never: never = kind;
        throw new Error(`unreachable ${String(never)}`);
      }
    }
    if (!SHA256_RE.test(layer.digest)) {
      throw refuse('OCI_DIGEST_UNSUPPORTED', `layer ${layer.digest.slice(0, 80)} is not addressed by sha256`);
    }
    const path = filePath(layer);
    if (ignored.has(path.split('/')[0]!)) {
      skipped.push({ path, reason: 'ignored like a git path when hashing a directory' });
      continue;
    }
    files.push(Object.freeze({ path, digest: layer.digest, size: layer.size, mediaType: layer.mediaType }));
  }
  const seen = new Set<string>();
  for (const f of files) {
    if (seen.has(f.path))
      throw refuse('OCI_LAYER_DUPLICATE_PATH', `two layers name the file ${JSON.stringify(f.path)}`);
    seen.add(f.path);
  }
  for (const f of files) {
    const parts = f.path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (seen.has(dir)) {
        throw refuse(
          'OCI_LAYER_DUPLICATE_PATH',
          `${JSON.stringify(dir)} is a file and also a directory holding ${f.path}`,
        );
      }
    }
  }
  const resources: Resource[] = files
    .map((f) => Object.freeze({ name: f.path, algorithm: 'sha256', digest: SHA256_RE.exec(f.digest)![1]! }))
    .sort((a, b) => compareResourceNames(a.name, b.name, 'files'));
  const ignorePaths = Object.freeze([...GIT_PATHS].sort((a, b) => compareResourceNames(a, b, 'files')));
  return Object.freeze({
    manifest: createManifest({
      modelName,
      serialization: Object.freeze({
        method: 'files',
        hashType: 'sha256',
        allowSymlinks: false,
        ignorePaths,
      }),
      resources,
    }),
    files: Object.freeze(files),
    skipped: Object.freeze(skipped),
  });
}
