import { describe, expect, it } from 'vitest';
import { codeOf as code } from '../../../test/codes.ts';
import type { Descriptor, ManifestDocument } from '../src/index.ts';
import { layerKind, MEDIA, omsFromArtifact, parseManifest } from '../src/index.ts';

const hex = (c: string) => c.repeat(64);
const layer = (
  path: string | undefined,
  mediaType = 'application/vnd.cncf.model.weight.v1.raw',
  c = 'a',
): Descriptor => ({
  mediaType,
  digest: `sha256:${hex(c)}`,
  size: 10,
  ...(path !== undefined ? { annotations: { 'org.cncf.model.filepath': path } } : {}),
});
const image = (layers: Descriptor[]): ManifestDocument => ({
  kind: 'image',
  mediaType: MEDIA.ociManifest,
  config: { mediaType: 'application/vnd.cncf.model.config.v1+json', digest: `sha256:${hex('0')}`, size: 2 },
  layers,
  annotations: {},
});

describe('omsFromArtifact', () => {
  it('orders resources as OMS does (tokenizer/vocab.txt before tokenizer.json)', () => {
    const got = omsFromArtifact(
      image([
        layer('tokenizer.json', undefined, 'b'),
        layer('tokenizer/vocab.txt', undefined, 'c'),
        layer('a.bin'),
      ]),
      'm',
    );
    expect(got.manifest.resources.map((r) => r.name)).toEqual([
      'a.bin',
      'tokenizer/vocab.txt',
      'tokenizer.json',
    ]);
    expect(got.manifest.resources[1]).toEqual({
      name: 'tokenizer/vocab.txt',
      algorithm: 'sha256',
      digest: hex('c'),
    });
    expect(got.manifest.serialization).toMatchObject({
      method: 'files',
      hashType: 'sha256',
      allowSymlinks: false,
    });
  });

  it('reads the older and the Go client annotations, and octet-stream layers', () => {
    const got = omsFromArtifact(
      image([
        {
          ...layer(undefined, 'application/octet-stream'),
          annotations: { 'org.opencontainers.image.title': 'x.gguf' },
        },
        { ...layer(undefined, undefined, 'b'), annotations: { 'org.cnai.model.filepath': 'y.bin' } },
      ]),
      'm',
    );
    expect(got.manifest.resources.map((r) => r.name)).toEqual(['x.gguf', 'y.bin']);
  });

  it('leaves out git paths as hashing a directory does, and says so', () => {
    const got = omsFromArtifact(image([layer('.gitattributes', undefined, 'b'), layer('w.bin')]), 'm');
    expect(got.manifest.resources.map((r) => r.name)).toEqual(['w.bin']);
    expect(got.skipped.map((s) => s.path)).toEqual(['.gitattributes']);
  });

  it.each([
    ['a tar layer', [layer('w', 'application/vnd.cncf.model.weight.v1.tar')], 'OCI_LAYER_NOT_RAW'],
    [
      'a compressed layer',
      [layer('w', 'application/vnd.cncf.model.weight.v1.tar+gzip')],
      'OCI_LAYER_NOT_RAW',
    ],
    ['a zstd layer', [layer('w', 'application/vnd.cncf.model.weight.v1.tar+zstd')], 'OCI_LAYER_NOT_RAW'],
    ['an image layer', [layer('w', 'application/vnd.oci.image.layer.v1.tar+gzip')], 'OCI_LAYER_NOT_RAW'],
    [
      'a docker layer',
      [layer('w', 'application/vnd.docker.image.rootfs.diff.tar.gzip')],
      'OCI_LAYER_NOT_RAW',
    ],
    ['an unknown layer type', [layer('w', 'application/json')], 'OCI_LAYER_UNSUPPORTED'],
    ['a layer without a path', [layer(undefined)], 'OCI_LAYER_NO_PATH'],
    ['an escaping path', [layer('../etc/passwd')], 'OCI_LAYER_BAD_PATH'],
    ['an absolute path', [layer('/etc/passwd')], 'OCI_LAYER_BAD_PATH'],
    ['a dot component', [layer('a/./b')], 'OCI_LAYER_BAD_PATH'],
    ['a backslash', [layer('a\\b')], 'OCI_LAYER_BAD_PATH'],
    ['a repeated path', [layer('w'), layer('w', undefined, 'b')], 'OCI_LAYER_DUPLICATE_PATH'],
    [
      'a file that is also a directory',
      [layer('w'), layer('w/x', undefined, 'b')],
      'OCI_LAYER_DUPLICATE_PATH',
    ],
    ['no layers', [], 'OCI_NO_LAYERS'],
    ['a sha512 layer', [{ ...layer('w'), digest: `sha512:${'a'.repeat(128)}` }], 'OCI_DIGEST_UNSUPPORTED'],
    [
      'annotations naming two files',
      [
        {
          ...layer('w'),
          annotations: { 'org.cncf.model.filepath': 'a', 'org.opencontainers.image.title': 'b' },
        },
      ],
      'OCI_LAYER_PATH_CONFLICT',
    ],
  ])('refuses %s', (_name, layers, expected) => {
    expect(code(() => omsFromArtifact(image(layers), 'm'))).toBe(expected);
  });

  it('refuses an index', () => {
    const index: ManifestDocument = {
      kind: 'index',
      mediaType: MEDIA.ociIndex,
      manifests: [],
      annotations: {},
    };
    expect(code(() => omsFromArtifact(index, 'm'))).toBe('OCI_NOT_A_MODEL_MANIFEST');
  });

  it('classifies layer media types', () => {
    expect(layerKind('application/vnd.cncf.model.weight.v1.raw')).toBe('raw');
    expect(layerKind('application/vnd.cncf.model.doc.v1.raw')).toBe('raw');
    expect(layerKind('application/vnd.cncf.model.weight.v1.tar')).toBe('packed');
    expect(layerKind('application/vnd.cncf.model.weight.v1.raw+gzip')).toBe('packed');
    expect(layerKind('text/plain')).toBe('unknown');
  });
});

describe('parseManifest', () => {
  const enc = (v: unknown) => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));
  const config = { mediaType: MEDIA.empty, digest: `sha256:${hex('4')}`, size: 2 };

  it('reads image manifests, indexes and docker v2 schema 2, with the type from body, header or fields', () => {
    expect(
      parseManifest(
        enc({ schemaVersion: 2, mediaType: MEDIA.ociManifest, config, layers: [] }),
        undefined,
        'm',
      ).kind,
    ).toBe('image');
    expect(parseManifest(enc({ schemaVersion: 2, manifests: [] }), 'application/json', 'm').kind).toBe(
      'index',
    );
    const docker = parseManifest(enc({ schemaVersion: 2, config, layers: [] }), MEDIA.dockerManifest, 'm');
    expect(docker.mediaType).toBe(MEDIA.dockerManifest);
    expect(parseManifest(enc({ schemaVersion: 2, manifests: [] }), MEDIA.dockerList, 'm').kind).toBe('index');
  });

  it.each([
    ['schema 1', { schemaVersion: 1 }, 'MANIFEST_INVALID'],
    [
      'bad digest',
      { schemaVersion: 2, config: { ...config, digest: 'nope' }, layers: [] },
      'MANIFEST_INVALID',
    ],
    ['negative size', { schemaVersion: 2, config: { ...config, size: -1 }, layers: [] }, 'MANIFEST_INVALID'],
    [
      'non-string annotation',
      { schemaVersion: 2, config, layers: [], annotations: { a: 1 } },
      'MANIFEST_INVALID',
    ],
    [
      'both shapes',
      { schemaVersion: 2, mediaType: MEDIA.ociIndex, manifests: [], layers: [] },
      'MANIFEST_INVALID',
    ],
    ['other type', { schemaVersion: 2, mediaType: 'application/x' }, 'MANIFEST_UNSUPPORTED'],
    ['deep nesting', JSON.parse(`${'{"a":'.repeat(40)}1${'}'.repeat(40)}`), 'MANIFEST_INVALID'],
    ['not JSON', '{"schemaVersion":', 'MANIFEST_INVALID'],
  ])('refuses %s', (_n, doc, expected) => {
    expect(code(() => parseManifest(enc(doc), undefined, 'm'))).toBe(expected);
  });
});
