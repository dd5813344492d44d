/**
 * The referrers API path, bearer tokens, If-Match retries and hostile referrers, against the small
 * local registry in support/fake-registry.ts (Debian's Distribution 2.8 has no referrers API).
 */
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { MEDIA, ociStore, type Repository, registryClient } from '../src/index.ts';
import { fakeBundle, OMS, SLSA } from './support/bundles.ts';
import { type FakeRegistry, type FakeRegistryOptions, startFakeRegistry } from './support/fake-registry.ts';
import { modelManifest } from './support/layout.ts';

const sha = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));

let reg: FakeRegistry | undefined;
afterEach(async () => {
  await reg?.close();
  reg = undefined;
});

async function setup(opts: FakeRegistryOptions = {}) {
  reg = await startFakeRegistry(opts);
  const client = registryClient({
    allowInsecure: true,
    timeoutMs: 5_000,
    ...(opts.bearer
      ? {
          credentials: async () => ({
            kind: 'basic' as const,
            ...{ username: opts.bearer!.user, password: opts.bearer!.password },
          }),
        }
      : {}),
  });
  const repo: Repository = { registry: reg.host, repository: 'models/tiny' };
  const { manifest, config } = modelManifest([{ path: 'w.bin', bytes: new TextEncoder().encode('w') }]);
  await client.pushBlob(repo, config, 'application/vnd.cncf.model.config.v1+json');
  await client.pushBlob(repo, new TextEncoder().encode('w'), 'application/vnd.cncf.model.weight.v1.raw');
  const model = (await client.putManifest(repo, 'v1', manifest, MEDIA.ociManifest)).digest;
  return { client, repo, model, store: ociStore(client, repo) };
}

/** pushes a referrer manifest of our own making, as a foreign or hostile tool would */
async function pushReferrer(
  s: Awaited<ReturnType<typeof setup>>,
  doc: Record<string, unknown>,
  layer: Uint8Array,
  layerType: string = MEDIA.sigstoreBundle,
): Promise<string> {
  await s.client.pushBlob(s.repo, new TextEncoder().encode('{}'), MEDIA.empty);
  const d = await s.client.pushBlob(s.repo, layer, layerType);
  const bytes = enc({
    schemaVersion: 2,
    mediaType: MEDIA.ociManifest,
    config: { mediaType: MEDIA.empty, digest: sha(new TextEncoder().encode('{}')), size: 2 },
    layers: [d],
    ...doc,
  });
  return (await s.client.putManifest(s.repo, sha(bytes), bytes, MEDIA.ociManifest)).digest;
}

describe('referrers API (local server implementing the endpoint)', () => {
  it('puts without touching the referrers tag when the registry answers OCI-Subject, and finds through the API', async () => {
    const s = await setup();
    await s.store.put(s.model, OMS, fakeBundle(OMS, s.model.slice(7)));
    await s.store.put(s.model, SLSA, fakeBundle(SLSA, s.model.slice(7)));
    expect([...reg!.tags.keys()].some((t) => t.includes('sha256-'))).toBe(false);
    const found = await s.store.find(s.model);
    expect(found.map((b) => b.predicateType).sort()).toEqual([OMS, SLSA]);
    expect((await s.store.find(s.model, SLSA)).map((b) => b.predicateType)).toEqual([SLSA]);
  });

  it('skips and reports foreign, mislabelled and unparsable referrers', async () => {
    const s = await setup();
    const subject = { mediaType: MEDIA.ociManifest, digest: s.model, size: 1 };
    // an SBOM: the server's artifactType filter drops it (the tag path below shows the client's own filter)
    await pushReferrer(
      s,
      { artifactType: 'application/spdx+json', subject },
      enc({ spdx: 1 }),
      'application/spdx+json',
    );
    // annotated OMS, but the payload is SLSA
    await pushReferrer(
      s,
      {
        artifactType: MEDIA.sigstoreBundle,
        subject,
        annotations: { 'dev.sigstore.bundle.predicateType': OMS },
      },
      fakeBundle(SLSA, 'bb'),
    );
    // not JSON at all
    await pushReferrer(
      s,
      { artifactType: MEDIA.sigstoreBundle, subject },
      new TextEncoder().encode('garbage'),
    );
    const good = await s.store.put(s.model, OMS, fakeBundle(OMS, s.model.slice(7), 9));

    const found = await s.store.find(s.model);
    expect(found.map((b) => b.source)).toEqual([good]);
    const codes = found.failures.map((f) => f.code).sort();
    expect(codes).toEqual(['OCI_PREDICATE_TYPE_MISMATCH', 'STORE_NOT_JSON']);
  });

  it('never trusts an index entry whose manifest has another subject', async () => {
    const s = await setup({ referrers: false });
    const other = `sha256:${'2'.repeat(64)}`;
    const foreign = await pushReferrer(
      s,
      {
        artifactType: MEDIA.sigstoreBundle,
        subject: { mediaType: MEDIA.ociManifest, digest: other, size: 1 },
      },
      fakeBundle(OMS, 'cc'),
    );
    // a hand-written referrers tag listing the other subject's bundle under ours
    const index = enc({
      schemaVersion: 2,
      mediaType: MEDIA.ociIndex,
      manifests: [
        { mediaType: MEDIA.ociManifest, digest: foreign, size: 10, artifactType: MEDIA.sigstoreBundle },
        {
          mediaType: MEDIA.ociManifest,
          digest: foreign.replace(/.$/, '0'),
          size: 10,
          artifactType: 'application/spdx+json',
        },
        {
          mediaType: 'application/vnd.oci.image.index.v1+json',
          digest: foreign.replace(/.$/, '1'),
          size: 10,
        },
      ],
    });
    await s.client.putManifest(s.repo, `sha256-${s.model.slice(7)}`, index, MEDIA.ociIndex);
    const found = await s.store.find(s.model, OMS);
    expect(found).toHaveLength(0);
    expect(found.failures.map((f) => f.code)).toEqual([
      'OCI_REFERRER_FOREIGN',
      'OCI_REFERRER_WRONG_SUBJECT',
      'OCI_REFERRER_FOREIGN',
    ]);
  });
});

describe('referrers tag updates', () => {
  it('sends If-Match and retries on 412, keeping every entry', async () => {
    const s = await setup({ referrers: false, conflicts: 2 });
    await s.store.put(s.model, OMS, fakeBundle(OMS, s.model.slice(7), 1));
    await s.store.put(s.model, SLSA, fakeBundle(SLSA, s.model.slice(7), 2));
    expect(reg!.ifMatchSeen.length).toBeGreaterThanOrEqual(3);
    expect(reg!.ifMatchSeen.every((v) => /^"sha256:[0-9a-f]{64}"$/.test(v))).toBe(true);
    expect((await s.store.find(s.model)).map((b) => b.predicateType).sort()).toEqual([OMS, SLSA]);
  });

  it('gives up after a bounded number of 412s with a coded error', async () => {
    const s = await setup({ referrers: false, conflicts: 1000 });
    await s.store.put(s.model, OMS, fakeBundle(OMS, s.model.slice(7), 1)); // creates the tag: no If-Match yet
    const err = await s.store.put(s.model, SLSA, fakeBundle(SLSA, s.model.slice(7), 2)).catch((e) => e);
    expect(err.code).toBe('REGISTRY_PRECONDITION_FAILED');
    expect(reg!.ifMatchSeen).toHaveLength(5);
  });
});

describe('bearer token auth', () => {
  it('answers the challenge at the token endpoint and uses the token, never the password, on the registry', async () => {
    const s = await setup({ bearer: { user: 'bob', password: 'hunter2-secret' } });
    await s.store.put(s.model, OMS, fakeBundle(OMS, s.model.slice(7)));
    expect(await s.store.find(s.model)).toHaveLength(1);
    const basic = `Basic ${Buffer.from('bob:hunter2-secret').toString('base64')}`;
    expect(reg!.seenAuthorization).toContain('Bearer fake-bearer-token-7f3a');
    // basic credentials go only to the token endpoint, and only there
    expect(reg!.seenAuthorization.filter((a) => a === basic).length).toBeGreaterThan(0);
  });

  it('trades an identity token (refresh token) for an access token, and logs neither', async () => {
    reg = await startFakeRegistry({
      bearer: { user: 'x', password: 'y', refreshToken: 'refresh-secret-abc' },
    });
    const lines: string[] = [];
    const client = registryClient({
      allowInsecure: true,
      credentials: async () => ({ kind: 'identity-token', token: 'refresh-secret-abc' }),
      log: (l) => lines.push(l),
    });
    expect(await client.listTags({ registry: reg.host, repository: 'none' }).catch((e) => e.code)).toBe(
      'REPOSITORY_NOT_FOUND',
    );
    expect(reg.seenAuthorization).toContain('Bearer fake-bearer-token-7f3a');
    expect(lines.some((l) => l.startsWith('POST ') && l.endsWith('/token -> 200'))).toBe(true);
    expect(lines.join('\n')).not.toMatch(/refresh-secret-abc|fake-bearer-token/);
  });

  it('fails with REGISTRY_AUTH_FAILED when the token endpoint refuses', async () => {
    reg = await startFakeRegistry({ bearer: { user: 'bob', password: 'right' } });
    const client = registryClient({
      allowInsecure: true,
      credentials: async () => ({ kind: 'basic', username: 'bob', password: 'wrong-secret-xyz' }),
    });
    const err = await client.listTags({ registry: reg.host, repository: 'a' }).catch((e) => e);
    expect(err.code).toBe('REGISTRY_AUTH_FAILED');
    expect(JSON.stringify(err) + err.message).not.toContain('wrong-secret-xyz');
  });
});
