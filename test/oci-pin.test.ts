/**
 * Tag pinning and modelcars end to end, every part real: Debian's docker-registry (basic auth),
 * artifacts pushed by skopeo, the CLI signing one by tag, and two webhook binaries over HTTPS
 * (`--pin-tags=patch` and `--pin-tags=annotate`) reading the registry through a proxy that can be
 * switched to down, slow or garbage.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import jsonpatch from 'fast-json-patch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { type Distribution, missing, startDistribution } from '../packages/oci/test/support/distribution.ts';
import { type ModelFile, writeOciLayout } from '../packages/oci/test/support/layout.ts';
import { listeningPort } from '../webhook/test/spawn-webhook.ts';
import { makeTlsFixture, send, type TlsFixture } from '../webhook/test/tls-fixture.ts';
import { cliAsync, registryProxy } from './oci-support.ts';

const absent = missing('docker-registry') || missing('skopeo');
const MAIN = fileURLToPath(new URL('../webhook/src/main.ts', import.meta.url));
const OMS = 'https://model_signing/signature/v1.0';
const USER = 'ci';
const PASSWORD = `pw-${randomBytes(8).toString('hex')}`;
const DEADLINE_MS = 3000;

// biome-ignore lint/suspicious/noExplicitAny: AdmissionReview JSON is walked freely in assertions
type Json = Record<string, any>;

const files = (n: number): ModelFile[] => [
  { path: 'model.safetensors', bytes: randomBytes(n) },
  { path: 'config.json', bytes: new TextEncoder().encode('{"arch":"tiny"}') },
];

const sha = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/**
 * A classic modelcar image as KServe documents them (`FROM busybox; COPY model /models`), cut to
 * its model layer: one tar layer holding /models, an image config; as an OCI layout for skopeo.
 */
function writeModelcarLayout(dir: string, work: string): void {
  mkdirSync(join(work, 'models'), { recursive: true });
  writeFileSync(join(work, 'models', 'weights.bin'), randomBytes(10_000));
  const layer = execFileSync('tar', ['-C', work, '--owner=0', '--group=0', '-cf', '-', 'models']);
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: [sha(layer)] },
    }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: sha(config),
        size: config.length,
      },
      layers: [
        { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha(layer), size: layer.length },
      ],
    }),
  );
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  for (const b of [layer, config, manifest]) writeFileSync(join(dir, 'blobs', 'sha256', sha(b).slice(7)), b);
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const ref = { 'org.opencontainers.image.ref.name': 'v1' };
  const entry = {
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    digest: sha(manifest),
    size: manifest.length,
    annotations: ref,
  };
  writeFileSync(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [entry] }));
}

const MODELCAR_TYPE = 'https://example.com/modelcar-release/v1';

describe.skipIf(absent)('pinning tags and modelcars (docker-registry, skopeo, CLI, webhook)', () => {
  let reg: Distribution;
  let tmp: string;
  let env: Record<string, string>;
  let proxy: Awaited<ReturnType<typeof registryProxy>>;
  let tls: TlsFixture;
  let signed: string;
  let unsigned: string;
  let classic: string;
  const webhooks: ChildProcess[] = [];
  const ports: Record<'patch' | 'annotate', number> = { patch: 0, annotate: 0 };
  const repo = (name: string) => `${proxy.host}/models/${name}`;

  const push = (layout: string, target: string, extra: string[] = []) =>
    execFileSync(
      'skopeo',
      [
        ...['copy', '--insecure-policy', '--dest-tls-verify=false', '--dest-creds', `${USER}:${PASSWORD}`],
        ...extra,
        `oci:${join(tmp, layout)}:v1`,
        `docker://${reg.host}/${target}`,
      ],
      { stdio: 'pipe', timeout: 60_000 },
    );

  beforeAll(async () => {
    reg = await startDistribution({ user: { name: USER, password: PASSWORD } });
    proxy = await registryProxy(reg.host);
    tmp = mkdtempSync(join(tmpdir(), 'modelseal-oci-pin-'));
    const auth = Buffer.from(`${USER}:${PASSWORD}`).toString('base64');
    writeFileSync(
      join(tmp, 'config.json'),
      JSON.stringify({ auths: { [reg.host]: { auth }, [proxy.host]: { auth } } }),
    );
    env = { DOCKER_CONFIG: tmp, HOME: tmp, XDG_CONFIG_HOME: join(tmp, 'xdg'), XDG_RUNTIME_DIR: '' };
    signed = writeOciLayout(join(tmp, 'layout-signed'), files(40_000), 'v1');
    unsigned = writeOciLayout(join(tmp, 'layout-unsigned'), files(30_000), 'v1');
    push('layout-signed', 'models/tiny:v1');
    push('layout-unsigned', 'models/unsigned:v1');
    writeModelcarLayout(join(tmp, 'layout-classic'), join(tmp, 'classic-root'));
    // skopeo compresses an uncompressed tar layer on the way, so the registry's digest is its own
    push('layout-classic', 'modelcars/classic:v1', ['--digestfile', join(tmp, 'classic.digest')]);
    classic = readFileSync(join(tmp, 'classic.digest'), 'utf8').trim();
    const keygen = await cliAsync(['keygen', '--output-key-prefix', join(tmp, 'k1')], env);
    expect(keygen.status, keygen.stderr).toBe(0);
    const sign = await cliAsync(
      ['sign', `${reg.host}/models/tiny:v1`, '--key', join(tmp, 'k1.key'), '--allow-insecure-registry'],
      env,
    );
    expect(sign.status, sign.stderr).toBe(0);
    // a tar-layer image has no file-level binding: its release is attested about the manifest digest
    writeFileSync(join(tmp, 'release.json'), JSON.stringify({ release: 'classic-v1' }));
    const attest = await cliAsync(
      [
        ...['attest', `${reg.host}/modelcars/classic:v1`, '--type', MODELCAR_TYPE],
        ...[
          '--predicate',
          join(tmp, 'release.json'),
          '--key',
          join(tmp, 'k1.key'),
          '--allow-insecure-registry',
        ],
      ],
      env,
    );
    expect(attest.status, attest.stderr).toBe(0);
    const policy = {
      apiVersion: 'modelseal.dev/v1alpha1',
      kind: 'ClusterModelPolicy',
      metadata: { name: 'release-models' },
      spec: {
        authorities: [{ name: 'release', key: { publicKey: readFileSync(join(tmp, 'k1.pub'), 'utf8') } }],
        require: [{ predicateType: OMS }],
        // KServe's modelcar and the init container that pulls the same image early
        match: { containers: { images: [`${proxy.host}/models/*`] } },
      },
    };
    const classicPolicy = {
      ...policy,
      metadata: { name: 'classic-modelcars' },
      spec: {
        ...policy.spec,
        require: [{ predicateType: MODELCAR_TYPE }],
        match: { volumes: { images: false }, containers: { images: [`${proxy.host}/modelcars/*`] } },
      },
    };
    writeFileSync(join(tmp, 'policy.yaml'), [policy, classicPolicy].map((p) => stringify(p)).join('---\n'));
    tls = makeTlsFixture();
    for (const mode of ['patch', 'annotate'] as const) {
      const child = spawn(
        process.execPath,
        [
          MAIN,
          ...['--tls-cert', tls.certFile, '--tls-key', tls.keyFile, '--port', '0', '--host', '127.0.0.1'],
          ...['--policy-file', join(tmp, 'policy.yaml')],
          ...['--store', `oci://${repo('tiny')}`, '--store', `oci://${repo('unsigned')}`],
          ...['--store', `oci://${proxy.host}/modelcars/classic`],
          ...['--registry-auth-file', join(tmp, 'config.json'), '--allow-insecure-registry'],
          ...['--deadline-ms', String(DEADLINE_MS), '--registry-cache-fresh-ms', '200'],
          // every mutation asks the registry: what an outage does to pinning is what is shown
          ...[`--pin-tags=${mode}`, '--pin-cache-ms', '0'],
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      webhooks.push(child);
      ports[mode] = await listeningPort(child);
    }
  }, 120_000);

  afterAll(async () => {
    for (const w of webhooks) w.kill('SIGKILL');
    await proxy?.close();
    await reg?.stop();
    tls?.cleanup();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  const pod = (opts: { volume?: string; modelcar?: string }): Json => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'llm', namespace: 'ml', annotations: { team: 'a' } },
    spec: {
      containers: [
        { name: 'kserve-container', image: 'kserve/huggingfaceserver:v0.15.0' },
        ...(opts.modelcar ? [{ name: 'modelcar', image: opts.modelcar }] : []),
      ],
      volumes: opts.volume ? [{ name: 'model', image: { reference: opts.volume } }] : [],
    },
  });

  async function post(mode: 'patch' | 'annotate', path: '/mutate' | '/validate', object: Json) {
    const body = JSON.stringify({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: {
        uid: `uid-${randomBytes(4).toString('hex')}`,
        kind: { group: '', version: 'v1', kind: 'Pod' },
        resource: { group: '', version: 'v1', resource: 'pods' },
        namespace: 'ml',
        operation: 'CREATE',
        object,
      },
    });
    const res = await send(ports[mode], tls.ca, path, body);
    expect(res.status, res.body).toBe(200);
    return JSON.parse(res.body).response as Json;
  }

  /** /mutate, then its patch applied with fast-json-patch (every operation validated). */
  async function mutate(mode: 'patch' | 'annotate', object: Json) {
    const response = await post(mode, '/mutate', object);
    expect(response.allowed).toBe(true);
    const ops: Json[] = response.patch ? JSON.parse(Buffer.from(response.patch, 'base64').toString()) : [];
    const patched = jsonpatch.applyPatch(structuredClone(object), ops as never, true, false)
      .newDocument as Json;
    return { response, ops, patched };
  }

  it('patch: a tag-only image volume is pinned to the digest skopeo pushed, and then validates', async () => {
    const object = pod({ volume: `${repo('tiny')}:v1` });
    const before = await post('patch', '/validate', object);
    expect(before.allowed).toBe(false);
    expect(before.status.message).toContain('UNPINNED_MODEL');
    const { ops, patched, response } = await mutate('patch', object);
    expect(ops).toEqual([
      { op: 'replace', path: '/spec/volumes/0/image/reference', value: `${repo('tiny')}:v1@${signed}` },
    ]);
    expect(response.auditAnnotations['pin.model']).toBe(`${repo('tiny')}:v1 -> ${signed} (patch)`);
    const after = await post('patch', '/validate', patched);
    expect(after.allowed, JSON.stringify(after)).toBe(true);
    // the unsigned artifact is pinned just as well, and then denied for what it is
    const other = await mutate('patch', pod({ volume: `${repo('unsigned')}:v1` }));
    expect(other.patched.spec.volumes[0].image.reference).toBe(`${repo('unsigned')}:v1@${unsigned}`);
    const denied = await post('patch', '/validate', other.patched);
    expect(denied.allowed).toBe(false);
    expect(denied.status.message).toContain(`digest ${unsigned}`);
    expect(denied.status.message).toContain('ATTESTATION_MISSING');
  });

  it('annotate: only an annotation with the resolved digest is added; the tag stays and /validate judges it', async () => {
    const object = pod({ volume: `${repo('tiny')}:v1`, modelcar: `${repo('tiny')}:v1` });
    const { ops, patched } = await mutate('annotate', object);
    expect(ops.map((o) => o.path)).toEqual([
      '/metadata/annotations/modelseal.dev~1resolved-digest.model',
      '/metadata/annotations/modelseal.dev~1resolved-digest.container.modelcar',
    ]);
    expect(patched.spec).toEqual(object.spec);
    expect(patched.metadata.annotations).toEqual({
      team: 'a',
      'modelseal.dev/resolved-digest.model': `${repo('tiny')}:v1@${signed}`,
      'modelseal.dev/resolved-digest.container.modelcar': `${repo('tiny')}:v1@${signed}`,
    });
    const v = await post('annotate', '/validate', patched);
    expect(v.allowed).toBe(false);
    expect(v.status.message).toContain('UNPINNED_MODEL');
  });

  it('modelcar: a signed model image is allowed, an unsigned one denied, a tag-only one pinned', async () => {
    const ok = await post('patch', '/validate', pod({ modelcar: `${repo('tiny')}@${signed}` }));
    expect(ok.allowed, JSON.stringify(ok)).toBe(true);
    expect(ok.auditAnnotations['release-models.container.modelcar']).toMatch(
      new RegExp(`^${signed} signers=key:[0-9a-f]{64} result=ok$`),
    );
    const bad = await post('patch', '/validate', pod({ modelcar: `${repo('unsigned')}@${unsigned}` }));
    expect(bad.allowed).toBe(false);
    expect(bad.status.message).toContain(
      `spec.containers[1] (container modelcar, model ${repo('unsigned')}@`,
    );
    expect(bad.status.message).toContain('ATTESTATION_MISSING');
    const { ops, patched } = await mutate('patch', pod({ modelcar: `${repo('tiny')}:v1` }));
    expect(ops).toEqual([
      { op: 'replace', path: '/spec/containers/1/image', value: `${repo('tiny')}:v1@${signed}` },
    ]);
    expect((await post('patch', '/validate', patched)).allowed).toBe(true);
  });

  it('a classic modelcar image (tar layer) is admitted on an attestation naming its manifest digest', async () => {
    const image = `${proxy.host}/modelcars/classic:v1`;
    const { ops, patched } = await mutate('patch', pod({ modelcar: image }));
    expect(ops).toEqual([{ op: 'replace', path: '/spec/containers/1/image', value: `${image}@${classic}` }]);
    const ok = await post('patch', '/validate', patched);
    expect(ok.allowed, JSON.stringify(ok)).toBe(true);
    expect(Object.keys(ok.auditAnnotations)).toEqual(['classic-modelcars.container.modelcar']);
    // the same container under the OMS policy's glob would need a model signature it cannot have
    const other = await post('patch', '/validate', pod({ modelcar: `${repo('unsigned')}@${classic}` }));
    expect(other.allowed).toBe(false);
    expect(other.status.message).toContain('policy release-models');
  });

  it('a repository the webhook does not read is not asked: the tag stays, with a warning', async () => {
    const { ops, response } = await mutate('patch', pod({ volume: `${proxy.host}/elsewhere/model:v1` }));
    expect(ops).toEqual([]);
    expect(response.warnings[0]).toContain('PIN_REPOSITORY_NOT_CONFIGURED');
  });

  it('registry down, slow or garbage: /mutate answers inside the deadline leaving the tag, /validate denies', async () => {
    const object = pod({ volume: `${repo('tiny')}:v1`, modelcar: `${repo('tiny')}:v1` });
    for (const mode of ['down', 'slow', 'garbage'] as const) {
      proxy.mode = mode;
      const t0 = Date.now();
      const { ops, response, patched } = await mutate('patch', object);
      const ms = Date.now() - t0;
      expect(ops, mode).toEqual([]);
      expect(ms, mode).toBeLessThan(DEADLINE_MS);
      // slow: waited for half the deadline, then given up on
      if (mode === 'slow') expect(ms).toBeGreaterThanOrEqual(DEADLINE_MS / 2 - 200);
      expect(response.warnings, mode).toHaveLength(2);
      const code = mode === 'slow' ? 'PIN_TIMEOUT' : mode === 'down' ? 'REGISTRY_' : 'MANIFEST_INVALID';
      for (const w of response.warnings) expect(w, mode).toContain(code);
      const t1 = Date.now();
      const v = await post('patch', '/validate', patched);
      expect(Date.now() - t1, mode).toBeLessThan(DEADLINE_MS);
      expect(v.allowed, mode).toBe(false);
      expect(v.status.message, mode).toContain('UNPINNED_MODEL');
      // annotate mode adds nothing either
      expect((await mutate('annotate', object)).ops, mode).toEqual([]);
      process.stderr.write(
        `oci-pin: registry ${mode}: /mutate answered in ${ms} ms (deadline ${DEADLINE_MS})\n`,
      );
    }
    proxy.mode = 'pass';
    expect((await mutate('patch', object)).ops).toHaveLength(2);
  }, 60_000);
});
