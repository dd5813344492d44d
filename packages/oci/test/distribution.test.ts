/**
 * Against Debian's docker-registry (Distribution 2.8, no referrers API) with basic auth, and
 * skopeo as the client we did not write. Skipped, with a logged reason, where either is absent.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashModel } from '@modelseal/hashing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOfAsync as codeOf } from '../../../test/codes.ts';
import {
  dockerCredentials,
  MEDIA,
  ociStore,
  omsFromArtifact,
  parseReference,
  type RegistryClient,
  referrersTag,
  registryClient,
} from '../src/index.ts';
import { fakeBundle, OMS, SLSA } from './support/bundles.ts';
import { type Distribution, missing, startDistribution } from './support/distribution.ts';
import { type ModelFile, modelManifest, writeModelDir, writeOciLayout } from './support/layout.ts';
import { makeTls, type Tls } from './support/tls.ts';

const absent = missing('docker-registry') || missing('skopeo');
const USER = 'alice';
const PASSWORD = `pw-${randomBytes(12).toString('hex')}`;
const FILES: ModelFile[] = [
  { path: 'model.safetensors', bytes: randomBytes(70_000) },
  { path: 'tokenizer/vocab.txt', bytes: new TextEncoder().encode('a\nb\nc\n') },
  {
    path: 'tokenizer.json',
    bytes: new TextEncoder().encode('{"v":1}'),
    annotation: 'org.cnai.model.filepath',
  },
  {
    path: 'config.json',
    bytes: new TextEncoder().encode('{}'),
    annotation: 'org.opencontainers.image.title',
  },
];

describe.skipIf(absent)('Distribution 2.8 with basic auth', () => {
  let reg: Distribution;
  let tmp: string;
  let client: RegistryClient;
  let pushedBySkopeo: string;
  const logs: string[] = [];

  beforeAll(async () => {
    reg = await startDistribution({ user: { name: USER, password: PASSWORD } });
    tmp = mkdtempSync(join(tmpdir(), 'modelseal-oci-'));
    // the user's `docker login`, as docker writes it
    const auth = Buffer.from(`${USER}:${PASSWORD}`).toString('base64');
    writeFileSync(join(tmp, 'config.json'), JSON.stringify({ auths: { [reg.host]: { auth } } }));
    client = registryClient({
      allowInsecure: true,
      timeoutMs: 10_000,
      credentials: dockerCredentials({ env: { DOCKER_CONFIG: tmp }, home: tmp }),
      log: (l) => logs.push(l),
    });
    writeOciLayout(join(tmp, 'layout'), FILES, 'v1');
    execFileSync(
      'skopeo',
      [
        'copy',
        '--insecure-policy',
        '--dest-tls-verify=false',
        '--dest-creds',
        `${USER}:${PASSWORD}`,
        `oci:${join(tmp, 'layout')}:v1`,
        `docker://${reg.host}/models/tiny:v1`,
      ],
      { stdio: 'pipe', timeout: 60_000 },
    );
    pushedBySkopeo = `sha256:${(await import('node:crypto')).createHash('sha256').update(modelManifest(FILES).manifest).digest('hex')}`;
  });

  afterAll(async () => {
    await reg?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('resolves the tag skopeo pushed to the digest of the bytes served', async () => {
    const ref = parseReference(`${reg.host}/models/tiny:v1`);
    const resolved = await client.resolve(ref);
    expect(resolved.digest).toBe(pushedBySkopeo);
    expect(resolved.mediaType).toBe(MEDIA.ociManifest);
    expect(resolved.tag).toBe('v1');
    expect(await client.listTags(ref)).toEqual(['v1']);
  });

  it('builds the OMS manifest from layer digests, equal to hashing the same files on disk', async () => {
    const m = await client.getManifest(parseReference(`${reg.host}/models/tiny:v1`));
    const fromRegistry = omsFromArtifact(m.document, 'tiny');
    const dir = join(tmp, 'tiny');
    writeModelDir(dir, FILES);
    const local = await hashModel(dir, {
      serialization: { method: 'files', hashType: 'sha256', allowSymlinks: false, ignorePaths: [] },
    });
    expect(fromRegistry.manifest.resources).toEqual(local.resources);
    expect(fromRegistry.manifest.serialization).toEqual(local.serialization);
    expect(fromRegistry.manifest.subjectDigest).toBe(local.subjectDigest);
    expect(fromRegistry.files.map((f) => f.path)).toContain('tokenizer.json');
  });

  it('pushes an artifact with our own client that skopeo then reads back unchanged', async () => {
    const repo = { registry: reg.host, repository: 'models/ours' };
    const { manifest, config } = modelManifest(FILES);
    await client.pushBlob(repo, config, 'application/vnd.cncf.model.config.v1+json');
    for (const f of FILES) await client.pushBlob(repo, f.bytes, 'application/vnd.cncf.model.weight.v1.raw');
    const put = await client.putManifest(repo, 'v2', manifest, MEDIA.ociManifest);
    expect(put.digest).toBe(pushedBySkopeo);
    const raw = execFileSync(
      'skopeo',
      [
        'inspect',
        '--raw',
        '--tls-verify=false',
        '--creds',
        `${USER}:${PASSWORD}`,
        `docker://${reg.host}/models/ours:v2`,
      ],
      { timeout: 30_000 },
    );
    expect(Buffer.compare(raw, Buffer.from(manifest))).toBe(0);
    const blob = await client.getBlob(
      repo,
      `sha256:${(await import('node:crypto')).createHash('sha256').update(FILES[0]!.bytes).digest('hex')}`,
    );
    expect(Buffer.compare(Buffer.from(blob), Buffer.from(FILES[0]!.bytes))).toBe(0);
  });

  it('stores bundles as cosign-style referrers and finds them through the sha256-<hex> tag', async () => {
    const repo = { registry: reg.host, repository: 'models/tiny' };
    const store = ociStore(client, repo, { now: () => new Date('2026-01-02T03:04:05Z') });
    const hex = pushedBySkopeo.slice(7);
    const s1 = await store.put(pushedBySkopeo, OMS, fakeBundle(OMS, hex, 1));
    const s2 = await store.put(pushedBySkopeo, SLSA, fakeBundle(SLSA, hex, 2));
    await store.put(pushedBySkopeo, OMS, fakeBundle(OMS, hex, 1)); // same bundle again: one entry
    expect(await client.listTags(repo)).toContain(referrersTag(pushedBySkopeo));
    const index = await client.getManifest({ ...repo, tag: referrersTag(pushedBySkopeo) });
    expect(index.document.kind === 'index' && index.document.manifests.length).toBe(2);

    const all = await store.find(pushedBySkopeo);
    expect(all.map((b) => b.source).sort()).toEqual([s1, s2].sort());
    expect(all.failures).toEqual([]);
    const oms = await store.find(pushedBySkopeo, OMS);
    expect(oms.map((b) => b.predicateType)).toEqual([OMS]);
    expect(oms[0]!.subject).toBe(pushedBySkopeo);
    expect(new TextDecoder().decode(oms[0]!.bundle)).toContain('dsseEnvelope');

    // the referrer manifest is cosign v3's layout
    const referrer = await client.getManifest({ ...repo, digest: oms[0]!.referrer });
    const doc = JSON.parse(new TextDecoder().decode(referrer.bytes));
    expect(doc).toMatchObject({
      mediaType: MEDIA.ociManifest,
      artifactType: MEDIA.sigstoreBundle,
      config: { mediaType: MEDIA.empty, size: 2 },
      subject: { mediaType: MEDIA.ociManifest, digest: pushedBySkopeo },
      annotations: {
        'dev.sigstore.bundle.content': 'dsse-envelope',
        'dev.sigstore.bundle.predicateType': OMS,
        'org.opencontainers.image.created': '2026-01-02T03:04:05.000Z',
      },
    });
    expect(doc.layers).toHaveLength(1);
    expect(doc.layers[0].mediaType).toBe(MEDIA.sigstoreBundle);
    expect(await store.find(`sha256:${'0'.repeat(64)}`)).toHaveLength(0);
  });

  it('fails with REGISTRY_AUTH_FAILED without or with wrong credentials, and never shows the secret', async () => {
    const ref = parseReference(`${reg.host}/models/tiny:v1`);
    const anonymous = registryClient({ allowInsecure: true });
    expect(await codeOf(anonymous.resolve(ref))).toBe('REGISTRY_AUTH_FAILED');
    const wrongLogs: string[] = [];
    const wrong = registryClient({
      allowInsecure: true,
      credentials: async () => ({ kind: 'basic', username: USER, password: `${PASSWORD}-nope` }),
      log: (l) => wrongLogs.push(l),
    });
    let err: unknown;
    try {
      await wrong.resolve(ref);
    } catch (e) {
      err = e;
    }
    expect((err as { code?: string }).code).toBe('REGISTRY_AUTH_FAILED');
    const shown = [JSON.stringify(err), String(err), (err as Error).stack ?? '', ...wrongLogs, ...logs].join(
      '\n',
    );
    expect(wrongLogs.length).toBeGreaterThan(0);
    for (const secret of [PASSWORD, Buffer.from(`${USER}:${PASSWORD}`).toString('base64')]) {
      expect(shown).not.toContain(secret);
    }
  });

  it('refuses plain HTTP unless allowInsecure is given', async () => {
    const strict = registryClient({
      credentials: async () => ({ kind: 'basic', username: USER, password: PASSWORD }),
    });
    // no allowInsecure: HTTPS is tried against a plain-HTTP port and fails as a TLS/network error
    const code = await codeOf(strict.resolve(parseReference(`${reg.host}/models/tiny:v1`)));
    expect(['REGISTRY_UNREACHABLE', 'REGISTRY_TLS_FAILED']).toContain(code);
  });
});

describe.skipIf(absent)('Distribution 2.8 over TLS with a private CA', () => {
  let reg: Distribution;
  let tls: Tls;
  beforeAll(async () => {
    tls = makeTls();
    reg = await startDistribution({ tls: { certFile: tls.certFile, keyFile: tls.keyFile } });
  });
  afterAll(async () => {
    await reg?.stop();
    if (tls) rmSync(tls.dir, { recursive: true, force: true });
  });

  it('trusts the registry with the CA given, and refuses it with a coded error without', async () => {
    const repo = { registry: reg.host, repository: 'models/tls' };
    const client = registryClient({ ca: tls.ca, timeoutMs: 10_000 });
    const { manifest, config } = modelManifest(FILES.slice(1, 2));
    await client.pushBlob(repo, config, 'application/vnd.cncf.model.config.v1+json');
    await client.pushBlob(repo, FILES[1]!.bytes, 'application/vnd.cncf.model.weight.v1.raw');
    const put = await client.putManifest(repo, 'v1', manifest, MEDIA.ociManifest);
    expect((await client.resolve({ ...repo, tag: 'v1' })).digest).toBe(put.digest);
    expect(await codeOf(registryClient({ timeoutMs: 10_000 }).resolve({ ...repo, tag: 'v1' }))).toBe(
      'REGISTRY_TLS_FAILED',
    );
  });
});
