import { sha256Hex } from '@modelseal/core';
import { createManifest, type Resource } from '@modelseal/manifest';
import { describe, expect, it } from 'vitest';
import { buildFromProvenance, type ModelBomInput, modelBom, modelCardFrom } from '../src/index.ts';
import { cycloneDxErrors } from './validate.ts';

const SHA = (s: string) => sha256Hex(s);
const COMMIT = '0e9e39f249a16976918f6564b8830bc894c89659';

const manifest = createManifest({
  modelName: 'tiny',
  serialization: { method: 'files', hashType: 'sha256', allowSymlinks: false, ignorePaths: [] },
  resources: [
    { name: 'config.json', algorithm: 'sha256', digest: SHA('config') },
    { name: 'model.safetensors', algorithm: 'sha256', digest: SHA('weights') },
    { name: 'tokenizer/vocab.txt', algorithm: 'sha256', digest: SHA('vocab') },
  ],
});

const provenance = {
  buildDefinition: {
    buildType: 'https://modelseal.dev/buildtypes/training/v1',
    externalParameters: {},
    resolvedDependencies: [
      {
        name: 'reviews',
        digest: { sha256: SHA('dataset') },
        annotations: { 'modelseal.dev/role': 'dataset' },
      },
      {
        uri: `hf://meta-llama/Llama-3.1-8B@${COMMIT}`,
        digest: { gitCommit: COMMIT },
        annotations: { 'modelseal.dev/role': 'base-model' },
      },
      {
        uri: 'git+https://github.com/acme/train.git@refs/heads/main',
        digest: { gitCommit: 'c'.repeat(40) },
        annotations: { 'modelseal.dev/role': 'source' },
      },
    ],
  },
  runDetails: { builder: { id: 'https://ci.example.com/train' }, metadata: { invocationId: 'run-7' } },
};

function input(over: Partial<ModelBomInput> = {}): ModelBomInput {
  return {
    model: {
      name: 'tiny',
      subjectDigest: manifest.subjectDigest,
      resources: manifest.resources,
      resourcesFrom: 'signature',
    },
    attestations: [
      {
        predicateType: 'https://model_signing/signature/v1.0',
        signer: { kind: 'key', keyId: 'ab'.repeat(32) },
        authority: 'release',
        bundleDigest: SHA('bundle'),
        location: 'file:///models/tiny/model.sig',
      },
      {
        predicateType: 'https://slsa.dev/provenance/v1',
        signer: {
          kind: 'certificate',
          subject: '',
          identity: 'https://github.com/acme/train/.github/workflows/train.yml@refs/heads/main',
          issuer: 'https://token.actions.githubusercontent.com',
          notBefore: '2026-01-01T00:00:00Z',
          notAfter: '2026-01-01T00:10:00Z',
        },
        authority: 'ci',
        bundleDigest: SHA('slsa bundle'),
      },
    ],
    builds: [buildFromProvenance(provenance)],
    formats: new Map([
      ['model.safetensors', 'safetensors'],
      ['config.json', 'json'],
    ]),
    scans: [
      { scanner: 'modelseal-scan', scannerVersion: '0.1.0', verdict: 'pass', findings: [], attested: true },
      {
        scanner: 'modelseal-scan',
        file: 'model.safetensors',
        verdict: 'pass',
        format: 'safetensors',
        findings: [],
        attested: true,
      },
    ],
    card: modelCardFrom({
      config: { architectures: ['TinyForCausalLM'], model_type: 'tiny' },
      frontMatter: {
        license: 'apache-2.0',
        pipeline_tag: 'text-generation',
        datasets: ['imdb'],
        tags: ['demo'],
      },
    }),
    policy: { policy: 'prod', allowed: true, reasons: [] },
    tool: { name: 'modelseal', version: '0.1.0' },
    timestamp: '2026-02-03T04:05:06Z',
    serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79',
    ...over,
  };
}

// biome-ignore lint/suspicious/noExplicitAny: assertions walk arbitrary JSON
type Json = any;
const props = (c: Json, name: string): string[] =>
  (c.properties ?? []).filter((p: Json) => p.name === name).map((p: Json) => p.value);

describe('modelBom: a CycloneDX 1.6 ML-BOM of one model', () => {
  it('validates against the 1.6 schema, strict', async () => {
    expect(await cycloneDxErrors(modelBom(input()))).toEqual([]);
  });

  it('nests every manifest file with the digest the manifest carries, in manifest order', () => {
    const bom: Json = modelBom(input());
    const model = bom.metadata.component;
    expect(model.type).toBe('machine-learning-model');
    expect(model.components.map((f: Json) => [f.name, f.hashes[0].alg, f.hashes[0].content])).toEqual(
      manifest.resources.map((r: Resource) => [r.name, 'SHA-256', r.digest]),
    );
    expect(props(model, 'modelseal:digest')).toEqual([`sha256:${manifest.subjectDigest}`]);
    expect(props(model.components[1], 'modelseal:format')).toEqual(['safetensors']);
    expect(props(model.components[1], 'modelseal:scan')).toEqual(['pass by modelseal-scan (attested)']);
  });

  it('names the verified signers and every attestation', () => {
    const model: Json = (modelBom(input()) as Json).metadata.component;
    expect(props(model, 'modelseal:signer')).toEqual([
      `key:${'ab'.repeat(32)}`,
      'https://github.com/acme/train/.github/workflows/train.yml@refs/heads/main (issuer https://token.actions.githubusercontent.com)',
    ]);
    expect(props(model, 'modelseal:attestation')).toHaveLength(2);
    expect(model.externalReferences).toEqual([
      expect.objectContaining({ type: 'attestation', url: 'file:///models/tiny/model.sig' }),
    ]);
    expect(props(model, 'modelseal:slsa:builder')).toEqual(['https://ci.example.com/train']);
  });

  it('lists the datasets, base model and code from provenance, with digests and pinned commits', () => {
    const bom: Json = modelBom(input());
    const [dataset, base, source] = bom.components;
    expect(dataset).toMatchObject({ type: 'data', name: 'reviews', data: [{ type: 'dataset' }] });
    expect(props(dataset, 'modelseal:digest')).toEqual([`sha256:${SHA('dataset')}`]);
    expect(base).toMatchObject({
      type: 'machine-learning-model',
      name: 'meta-llama/Llama-3.1-8B',
      version: COMMIT,
      purl: `pkg:huggingface/meta-llama/Llama-3.1-8B@${COMMIT}`,
      externalReferences: [
        { type: 'distribution', url: `https://huggingface.co/meta-llama/Llama-3.1-8B/tree/${COMMIT}` },
      ],
    });
    expect(source.externalReferences).toEqual([
      { type: 'vcs', url: 'https://github.com/acme/train.git', comment: `commit ${'c'.repeat(40)}` },
    ]);
    expect(bom.dependencies[0]).toEqual({
      ref: bom.metadata.component['bom-ref'],
      dependsOn: bom.components.map((c: Json) => c['bom-ref']),
    });
    // the model card's datasets are the verified ones; the README's list stays a claim
    expect(bom.metadata.component.modelCard.modelParameters).toEqual({
      task: 'text-generation',
      architectureFamily: 'tiny',
      modelArchitecture: 'TinyForCausalLM',
      datasets: [{ ref: dataset['bom-ref'] }],
    });
    expect(props(bom.metadata.component.modelCard, 'modelseal:card:dataset')).toEqual(['imdb']);
  });

  it('a sharded manifest: shards as properties, no made-up whole-file digest; still valid', async () => {
    const sharded = createManifest({
      modelName: 'big',
      serialization: {
        method: 'shards',
        hashType: 'sha256',
        allowSymlinks: false,
        ignorePaths: [],
        shardSize: 10,
      },
      resources: [
        { name: 'w.bin:0:10', algorithm: 'sha256-sharded-10', digest: SHA('a') },
        { name: 'w.bin:10:15', algorithm: 'sha256-sharded-10', digest: SHA('b') },
      ],
    });
    const bom: Json = modelBom(
      input({
        model: {
          name: 'big',
          subjectDigest: sharded.subjectDigest,
          resources: sharded.resources,
          resourcesFrom: 'hash',
        },
        builds: [],
        attestations: [],
        scans: [],
        card: undefined,
        policy: undefined,
      }),
    );
    expect(await cycloneDxErrors(bom)).toEqual([]);
    const files = bom.metadata.component.components;
    expect(files).toHaveLength(1);
    expect(files[0].hashes).toBeUndefined();
    expect(props(files[0], 'modelseal:shard')).toEqual([
      `0:10 sha256:${SHA('a')}`,
      `10:15 sha256:${SHA('b')}`,
    ]);
    expect(bom.components).toEqual([]);
  });

  it('the schema check can fail: a digest that is not hex, an unknown field', async () => {
    const badHash: Json = structuredClone(modelBom(input()));
    badHash.metadata.component.components[0].hashes[0].content = 'not-hex';
    expect((await cycloneDxErrors(badHash)).join('\n')).toContain('/hashes/0/content');
    const extra: Json = structuredClone(modelBom(input()));
    extra.metadata.component.surprise = true;
    expect((await cycloneDxErrors(extra)).join('\n')).toContain('additional properties');
    const dangling: Json = structuredClone(modelBom(input()));
    dangling.dependencies[0].dependsOn.push('dataset:nowhere');
    expect(await cycloneDxErrors(dangling)).toEqual(['dependency ref dataset:nowhere names no component']);
  });

  it('a policy denial and its reasons are recorded, not hidden', () => {
    const bom: Json = modelBom(
      input({
        policy: {
          policy: 'prod',
          allowed: false,
          reasons: [{ code: 'MISSING_ATTESTATION', message: 'no scan' }],
        },
      }),
    );
    expect(props(bom.metadata.component, 'modelseal:policy:verdict')).toEqual(['fail']);
    expect(props(bom.metadata.component, 'modelseal:policy:reason')).toEqual([
      'MISSING_ATTESTATION: no scan',
    ]);
  });
});
