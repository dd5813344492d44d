/** A ModelPack-style artifact as files on disk and as an OCI image layout, for skopeo to push. */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const MODEL_CONFIG_MEDIA = 'application/vnd.cncf.model.config.v1+json';
export const MODEL_ARTIFACT = 'application/vnd.cncf.model.manifest.v1+json';
export const WEIGHT_RAW = 'application/vnd.cncf.model.weight.v1.raw';

export interface ModelFile {
  readonly path: string;
  readonly bytes: Uint8Array;
  readonly mediaType?: string;
  /** which annotation names the path; default org.cncf.model.filepath */
  readonly annotation?: string;
}

const sha = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** The model directory as the kubelet would unpack it. */
export function writeModelDir(dir: string, files: readonly ModelFile[]): void {
  for (const f of files) {
    mkdirSync(dirname(join(dir, f.path)), { recursive: true });
    writeFileSync(join(dir, f.path), f.bytes);
  }
}

export function modelManifest(files: readonly ModelFile[]): { manifest: Uint8Array; config: Uint8Array } {
  const config = new TextEncoder().encode(
    JSON.stringify({
      descriptor: { name: 'tiny' },
      modelfs: { type: 'layers', diffIds: files.map((f) => sha(f.bytes)) },
    }),
  );
  const manifest = new TextEncoder().encode(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactType: MODEL_ARTIFACT,
      config: { mediaType: MODEL_CONFIG_MEDIA, digest: sha(config), size: config.byteLength },
      layers: files.map((f) => ({
        mediaType: f.mediaType ?? WEIGHT_RAW,
        digest: sha(f.bytes),
        size: f.bytes.byteLength,
        annotations: { [f.annotation ?? 'org.cncf.model.filepath']: f.path },
      })),
    }),
  );
  return { manifest, config };
}

/** An OCI image layout (oci-layout, index.json, blobs/sha256/…) holding one tagged manifest. */
export function writeOciLayout(dir: string, files: readonly ModelFile[], tag: string): string {
  const { manifest, config } = modelManifest(files);
  const blobs = join(dir, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  for (const b of [manifest, config, ...files.map((f) => f.bytes)])
    writeFileSync(join(blobs, sha(b).slice(7)), b);
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: sha(manifest),
          size: manifest.byteLength,
          annotations: { 'org.opencontainers.image.ref.name': tag },
        },
      ],
    }),
  );
  return sha(manifest);
}
