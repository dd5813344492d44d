/**
 * OCI end to end, every part real: Debian's docker-registry (Distribution 2.8, basic auth), a
 * ModelPack-style artifact pushed by skopeo, the CLI as a process signing it by tag, the bundle
 * stored as a referrer (the `sha256-<hex>` tag: Distribution has no referrers API), and the
 * webhook binary over HTTPS reading the registry through its cache.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dockerCredentials, MEDIA, ociStore, referrersTag, registryClient } from '@modelseal/oci';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { imageVolume, podSpec, review, workload } from '../packages/admission/test/reviews.ts';
import { type Distribution, missing, startDistribution } from '../packages/oci/test/support/distribution.ts';
import { type ModelFile, writeModelDir, writeOciLayout } from '../packages/oci/test/support/layout.ts';
import { listeningPort } from '../webhook/test/spawn-webhook.ts';
import { makeTlsFixture, send, type TlsFixture } from '../webhook/test/tls-fixture.ts';
import { cliAsync, registryProxy } from './oci-support.ts';

const absent = missing('docker-registry') || missing('skopeo');
const MAIN = fileURLToPath(new URL('../webhook/src/main.ts', import.meta.url));
const OMS = 'https://model_signing/signature/v1.0';
const USER = 'ci';
const PASSWORD = `pw-${randomBytes(8).toString('hex')}`;
const DEADLINE_MS = 3000;

const text = (s: string) => new TextEncoder().encode(s);
const filesA: ModelFile[] = [
  { path: 'model.safetensors', bytes: randomBytes(50_000) },
  { path: 'tokenizer/vocab.txt', bytes: text('a\nb\n') },
  { path: 'config.json', bytes: text('{"arch":"tiny"}'), annotation: 'org.opencontainers.image.title' },
];
const filesB: ModelFile[] = [{ path: 'weights.bin', bytes: randomBytes(20_000) }];

const errorCode = (stderr: string) => /error\[([A-Z0-9_]+)\]/.exec(stderr)?.[1];

describe.skipIf(absent)('OCI registry end to end (docker-registry, skopeo, CLI, webhook)', () => {
  let reg: Distribution;
  let tmp: string;
  let env: Record<string, string>;
  let host: string;
  let digestA: string;
  let digestB: string;
  let tls: TlsFixture;
  let proxy: Awaited<ReturnType<typeof registryProxy>>;
  let webhook: ChildProcess | undefined;
  let port: number;
  const cli = (...args: string[]) => cliAsync([...args, '--allow-insecure-registry'], env, tmp);

  beforeAll(async () => {
    reg = await startDistribution({ user: { name: USER, password: PASSWORD } });
    host = reg.host;
    proxy = await registryProxy(host);
    tmp = mkdtempSync(join(tmpdir(), 'modelseal-oci-e2e-'));
    const auth = Buffer.from(`${USER}:${PASSWORD}`).toString('base64');
    // the user's `docker login` (for the registry and the proxy in front of it)
    writeFileSync(
      join(tmp, 'config.json'),
      JSON.stringify({ auths: { [host]: { auth }, [proxy.host]: { auth } } }),
    );
    env = { DOCKER_CONFIG: tmp, HOME: tmp, XDG_CONFIG_HOME: join(tmp, 'xdg'), XDG_RUNTIME_DIR: '' };
    writeModelDir(join(tmp, 'model-a'), filesA);
    digestA = writeOciLayout(join(tmp, 'layout-a'), filesA, 'v1');
    digestB = writeOciLayout(join(tmp, 'layout-b'), filesB, 'v1');
    for (const [layout, repo] of [
      ['layout-a', 'models/tiny'],
      ['layout-b', 'models/other'],
    ]) {
      execFileSync(
        'skopeo',
        [
          'copy',
          '--insecure-policy',
          '--dest-tls-verify=false',
          '--dest-creds',
          `${USER}:${PASSWORD}`,
          `oci:${join(tmp, layout!)}:v1`,
          `docker://${host}/${repo}:v1`,
        ],
        { stdio: 'pipe', timeout: 60_000 },
      );
    }
    for (const k of ['k1', 'k2']) {
      const r = await cliAsync(['keygen', '--output-key-prefix', join(tmp, k)], env);
      expect(r.status, r.stderr).toBe(0);
    }
    tls = makeTlsFixture();
  }, 120_000);

  afterAll(async () => {
    webhook?.kill('SIGKILL');
    await proxy?.close();
    await reg?.stop();
    tls?.cleanup();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('sign by tag: the bundle lands in the registry as a referrer of the manifest digest', async () => {
    const r = await cli(
      'sign',
      `${host}/models/tiny:v1`,
      '--key',
      join(tmp, 'k1.key'),
      '--bundle',
      join(tmp, 'a.sig'),
      '-o',
      'json',
    );
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    // the tag and the manifest digest are both recorded
    expect(out.artifact).toMatchObject({ reference: `${host}/models/tiny:v1`, tag: 'v1', digest: digestA });
    expect(out.store).toMatch(new RegExp(`^oci://${host}/models/tiny@sha256:[0-9a-f]{64}$`));
    expect(r.stderr).toContain(`resolved ${host}/models/tiny:v1 to ${host}/models/tiny@${digestA}`);

    // read back with our client and with skopeo: the cosign v3 layout, subject = the model manifest
    const client = registryClient({
      allowInsecure: true,
      credentials: dockerCredentials({ env: { DOCKER_CONFIG: tmp }, home: tmp }),
    });
    const index = await client.getManifest({
      registry: host,
      repository: 'models/tiny',
      tag: referrersTag(digestA),
    });
    expect(index.document.kind).toBe('index');
    const entries = index.document.kind === 'index' ? index.document.manifests : [];
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ artifactType: MEDIA.sigstoreBundle });
    const raw = execFileSync(
      'skopeo',
      [
        'inspect',
        '--raw',
        '--tls-verify=false',
        '--creds',
        `${USER}:${PASSWORD}`,
        `docker://${host}/models/tiny@${entries[0]!.digest}`,
      ],
      { encoding: 'utf8' },
    );
    const referrer = JSON.parse(raw);
    expect(referrer.subject.digest).toBe(digestA);
    expect(referrer.artifactType).toBe(MEDIA.sigstoreBundle);
    expect(referrer.annotations['dev.sigstore.bundle.predicateType']).toBe(OMS);
  });

  it('verify-attestation by digest finds the bundle in the registry and verifies it', async () => {
    const r = await cli(
      'verify-attestation',
      `${host}/models/tiny@${digestA}`,
      '--key',
      join(tmp, 'k1.pub'),
      '--type',
      'oms',
      '-o',
      'json',
    );
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.subject.digest).toBe(digestA);
    expect(out.attestations).toHaveLength(1);
    expect(out.attestations[0].source).toMatch(new RegExp(`^oci://${host}/models/tiny@sha256:`));
    // another key does not verify it
    const other = await cli(
      'verify-attestation',
      `${host}/models/tiny@${digestA}`,
      '--key',
      join(tmp, 'k2.pub'),
      '--type',
      'oms',
    );
    expect(other.status).toBe(7);
  });

  it('one signature verifies the registry artifact and the directory the kubelet mounts from it', async () => {
    const dir = await cliAsync(
      ['verify', join(tmp, 'model-a'), '--bundle', join(tmp, 'a.sig'), '--key', join(tmp, 'k1.pub')],
      env,
    );
    expect(dir.status, dir.stderr).toBe(0);
    const byRef = await cli('verify', `${host}/models/tiny:v1`, '--key', join(tmp, 'k1.pub'));
    expect(byRef.status, byRef.stderr).toBe(0);
    expect(byRef.stderr).toContain(`Verification succeeded: ${host}/models/tiny@${digestA} (3 files)`);
    const refDigest = JSON.parse((await cli('digest', `${host}/models/tiny:v1`, '-o', 'json')).stdout);
    const dirDigest = JSON.parse(
      (await cliAsync(['digest', join(tmp, 'model-a'), '-o', 'json'], env)).stdout,
    );
    expect(refDigest.digest).toEqual(dirDigest.digest);
    expect(refDigest.resources).toEqual(dirDigest.resources);
    expect(refDigest.artifact.digest).toBe(digestA);
    // a changed file on disk fails against the same bundle
    writeFileSync(join(tmp, 'model-a', 'config.json'), '{"arch":"other"}');
    const changed = await cliAsync(
      ['verify', join(tmp, 'model-a'), '--bundle', join(tmp, 'a.sig'), '--key', join(tmp, 'k1.pub')],
      env,
    );
    expect(changed.status).toBe(4);
    expect(changed.stderr).toContain('config.json');
  });

  it('bundles for another digest, another predicate type or from another signer are not trusted', async () => {
    // a real, trusted signature, but of model A, filed as a referrer of B
    const client = registryClient({
      allowInsecure: true,
      credentials: dockerCredentials({ env: { DOCKER_CONFIG: tmp }, home: tmp }),
    });
    await ociStore(client, { registry: host, repository: 'models/other' }).put(
      digestB,
      OMS,
      readFileSync(join(tmp, 'a.sig')),
    );
    // the trusted key over another predicate type, about B itself
    writeFileSync(join(tmp, 'p.json'), JSON.stringify({ note: 'not a model signature' }));
    const custom = await cli(
      'attest',
      `${host}/models/other:v1`,
      '--type',
      'https://example.com/custom/v1',
      '--predicate',
      join(tmp, 'p.json'),
      '--key',
      join(tmp, 'k1.key'),
    );
    expect(custom.status, custom.stderr).toBe(0);
    // a model signature of B, by a key the policy does not trust
    const k2 = await cli('sign', `${host}/models/other:v1`, '--key', join(tmp, 'k2.key'));
    expect(k2.status, k2.stderr).toBe(0);

    const denied = await cli(
      'verify-attestation',
      `${host}/models/other@${digestB}`,
      '--key',
      join(tmp, 'k1.pub'),
      '--type',
      'oms',
    );
    expect(denied.status, denied.stderr).toBe(7);
    expect(denied.stderr).toContain('SUBJECT_MISMATCH');
    expect(denied.stderr).toMatch(/verified against no authority/);
    const byRef = await cli('verify', `${host}/models/other:v1`, '--key', join(tmp, 'k1.pub'));
    expect([3, 4]).toContain(byRef.status);
    expect(byRef.stderr).toContain('none of the 2 model signatures');

    // the control: once the trusted key signs B, the same lookups pass
    const k1 = await cli('sign', `${host}/models/other:v1`, '--key', join(tmp, 'k1.key'));
    expect(k1.status, k1.stderr).toBe(0);
    const ok = await cli(
      'verify-attestation',
      `${host}/models/other@${digestB}`,
      '--key',
      join(tmp, 'k1.pub'),
      '--type',
      'oms',
    );
    expect(ok.status, ok.stderr).toBe(0);
  });

  it('copy: registry -> directory -> mirror registry, one subject or all, nothing copied twice', async () => {
    const mirror = join(tmp, 'mirror');
    const out = await cli('copy', `oci://${host}/models/tiny`, `dir:${mirror}`, '--all', '-o', 'json');
    expect(out.status, out.stderr).toBe(0);
    const copied = JSON.parse(out.stdout).copied;
    expect(copied.map((c: { subject: string }) => c.subject)).toEqual([digestA]);
    // the air-gapped side: the model is mirrored first (skopeo), then its attestations
    execFileSync(
      'skopeo',
      [
        'copy',
        '--insecure-policy',
        '--src-tls-verify=false',
        '--dest-tls-verify=false',
        '--src-creds',
        `${USER}:${PASSWORD}`,
        '--dest-creds',
        `${USER}:${PASSWORD}`,
        `docker://${host}/models/tiny:v1`,
        `docker://${host}/mirror/tiny:v1`,
      ],
      { stdio: 'pipe' },
    );
    const back = await cli(
      'copy',
      `dir:${mirror}`,
      `oci://${host}/mirror/tiny`,
      '--subject',
      digestA,
      '-o',
      'json',
    );
    expect(back.status, back.stderr).toBe(0);
    expect(JSON.parse(back.stdout).copied).toHaveLength(1);
    const again = await cli('copy', `dir:${mirror}`, `oci://${host}/mirror/tiny`, '--all', '-o', 'json');
    expect(JSON.parse(again.stdout)).toMatchObject({ ok: true, copied: [], present: [{ subject: digestA }] });
    const v = await cli(
      'verify-attestation',
      `${host}/mirror/tiny@${digestA}`,
      '--key',
      join(tmp, 'k1.pub'),
      '--type',
      'oms',
    );
    expect(v.status, v.stderr).toBe(0);
    // a repository without the model cannot hold its referrers: a coded failure, not a silent skip
    const missingModel = await cli('copy', `dir:${mirror}`, `oci://${host}/mirror/absent`, '--all');
    expect(errorCode(missingModel.stderr)).toBe('MANIFEST_NOT_FOUND');
    expect(missingModel.status).toBe(5);
  });

  it('policy test, inventory and bom read the registry (--store oci://, a reference as the bom target)', async () => {
    const policy = {
      apiVersion: 'modelseal.dev/v1alpha1',
      kind: 'ClusterModelPolicy',
      metadata: { name: 'release-models' },
      spec: {
        authorities: [{ name: 'release', key: { publicKey: readFileSync(join(tmp, 'k1.pub'), 'utf8') } }],
        require: [{ predicateType: OMS }],
      },
    };
    writeFileSync(join(tmp, 'offline-policy.yaml'), stringify(policy));
    const unsignedDigest = `sha256:${randomBytes(32).toString('hex')}`;
    const pod = (name: string, ref: string) => ({
      ...workload('Pod', podSpec([imageVolume('model', ref)])),
      metadata: { name, namespace: 'ml' },
    });
    writeFileSync(
      join(tmp, 'pods.yaml'),
      [
        pod('signed', `${host}/models/tiny@${digestA}`),
        pod('unsigned', `${host}/models/tiny@${unsignedDigest}`),
      ]
        .map((d) => stringify(d))
        .join('---\n'),
    );
    const offline = ['--policy', join(tmp, 'offline-policy.yaml'), '--store', `oci://${host}/models/tiny`];
    const tested = await cli('policy', 'test', join(tmp, 'pods.yaml'), ...offline, '-o', 'json');
    expect(tested.status, tested.stderr).toBe(7);
    const verdicts = JSON.parse(tested.stdout).verdicts;
    expect(verdicts.map((v: { verdict: string }) => v.verdict)).toEqual(['allowed', 'denied']);
    expect(verdicts[1].message).toContain(unsignedDigest);
    expect(verdicts[1].message).toContain('ATTESTATION_MISSING');

    const inv = await cli('inventory', join(tmp, 'pods.yaml'), ...offline, '-o', 'json');
    expect(inv.status, inv.stderr).toBe(0);
    const models = JSON.parse(inv.stdout).workloads.map(
      (w: { models: { digest: string; result: string; signers: string[] }[] }) => w.models[0],
    );
    expect(models.map((m: { digest: string; result: string }) => [m.digest, m.result])).toEqual([
      [digestA, 'pass'],
      [unsignedDigest, 'fail'],
    ]);
    expect(models[0].signers).toHaveLength(1);

    // the BOM of the artifact: its files from the verified signature, filed back as a referrer
    const bom = await cli(
      'bom',
      `${host}/models/tiny:v1`,
      ...['--key', join(tmp, 'k1.pub'), '--attest', '--attest-key', join(tmp, 'k1.key'), '-o', 'json'],
    );
    expect(bom.status, bom.stderr).toBe(0);
    const component = JSON.parse(bom.stdout).metadata.component;
    expect(component.components.map((f: { name: string }) => f.name).sort()).toEqual(
      filesA.map((f) => f.path).sort(),
    );
    const prop = (name: string) =>
      component.properties
        .filter((x: { name: string }) => x.name === name)
        .map((x: { value: string }) => x.value);
    expect(prop('modelseal:digest')).toEqual([digestA]);
    expect(prop('modelseal:resources')).toEqual(['as signed']);
    const attested = await cli(
      'verify-attestation',
      `${host}/models/tiny@${digestA}`,
      ...['--key', join(tmp, 'k1.pub'), '--type', 'cyclonedx', '-o', 'json'],
    );
    expect(attested.status, attested.stderr).toBe(0);
    expect(JSON.parse(attested.stdout).attestations[0].source).toMatch(
      new RegExp(`^oci://${host}/models/tiny@sha256:`),
    );
  });

  it('the webhook over HTTPS allows the pinned image volume and denies a tag-only one', async () => {
    const policy = {
      apiVersion: 'modelseal.dev/v1alpha1',
      kind: 'ClusterModelPolicy',
      metadata: { name: 'release-models' },
      spec: {
        authorities: [{ name: 'release', key: { publicKey: readFileSync(join(tmp, 'k1.pub'), 'utf8') } }],
        require: [{ predicateType: OMS }],
      },
    };
    writeFileSync(join(tmp, 'policy.yaml'), stringify(policy));
    mkdirSync(join(tmp, 'empty'), { recursive: true });
    webhook = spawn(
      process.execPath,
      [
        MAIN,
        ...['--tls-cert', tls.certFile, '--tls-key', tls.keyFile, '--port', '0', '--host', '127.0.0.1'],
        ...['--policy-file', join(tmp, 'policy.yaml')],
        ...['--store', `oci://${proxy.host}/models/tiny`, '--store', `oci://${proxy.host}/models/other`],
        ...['--registry-auth-file', join(tmp, 'config.json'), '--allow-insecure-registry'],
        ...['--deadline-ms', String(DEADLINE_MS), '--registry-cache-fresh-ms', '200'],
        '--shutdown-delay-ms=0',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    port = await listeningPort(webhook);
    const pinned = await admit(`${host}/models/tiny@${digestA}`);
    expect(pinned.allowed, JSON.stringify(pinned)).toBe(true);
    const tagged = await admit(`${host}/models/tiny:v1`);
    expect(tagged.allowed).toBe(false);
    expect(tagged.status.message).toContain('UNPINNED_MODEL');
    // an artifact nobody trusted signed: bundles exist (k2, wrong subject) but none counts
    const fresh = writeOciLayout(join(tmp, 'layout-c'), [{ path: 'w.bin', bytes: randomBytes(1000) }], 'v1');
    execFileSync(
      'skopeo',
      [
        'copy',
        '--insecure-policy',
        '--dest-tls-verify=false',
        '--dest-creds',
        `${USER}:${PASSWORD}`,
        `oci:${join(tmp, 'layout-c')}:v1`,
        `docker://${host}/models/other:c`,
      ],
      { stdio: 'pipe' },
    );
    const unsigned = await admit(`${host}/models/other@${fresh}`);
    expect(unsigned.allowed).toBe(false);
    expect(unsigned.status.message).toContain(fresh);
  });

  it('during a registry outage the webhook answers inside its deadline: cached lookups allow, others deny', async () => {
    expect((await admit(`${host}/models/tiny@${digestA}`)).allowed).toBe(true);
    for (const mode of ['down', 'slow', 'garbage'] as const) {
      proxy.mode = mode;
      // past the checker's 2 s decision reuse and the cache's 200 ms freshness: the registry is asked
      await new Promise((r) => setTimeout(r, 2_200));
      const t0 = Date.now();
      const cached = await admit(`${host}/models/tiny@${digestA}`);
      const cachedMs = Date.now() - t0;
      expect(cached.allowed, `${mode}: ${JSON.stringify(cached)}`).toBe(true);
      expect(cachedMs, mode).toBeLessThan(DEADLINE_MS);
      // a slow registry is waited for half the deadline, then the cached lookup answers
      if (mode === 'slow') expect(cachedMs).toBeGreaterThanOrEqual(DEADLINE_MS / 2 - 100);
      const t1 = Date.now();
      const uncached = await admit(`${host}/models/other@sha256:${randomBytes(32).toString('hex')}`);
      const uncachedMs = Date.now() - t1;
      expect(uncached.allowed, mode).toBe(false);
      expect(uncached.status.message, mode).toMatch(/REGISTRY_|DEADLINE_EXCEEDED|MANIFEST_INVALID/);
      expect(uncachedMs, mode).toBeLessThan(DEADLINE_MS + 1_000);
    }
    proxy.mode = 'pass';
  }, 60_000);

  async function admit(reference: string) {
    const body = JSON.stringify(review(workload('Pod', podSpec([imageVolume('model', reference)]))));
    const res = await send(port, tls.ca, '/validate', body);
    expect(res.status).toBe(200);
    return JSON.parse(res.body).response as { allowed: boolean; status: { message: string } };
  }
});
