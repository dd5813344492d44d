/**
 * Start-up checks end to end, the way a cluster meets them: a model signed with the CLI, the
 * webhook binary over HTTPS with --verifier-image, an AdmissionReview to /mutate, its JSON patch
 * applied with a real RFC 6902 implementation, the injected container's command run as a process
 * against a directory standing for the volume, and /validate on the patched (and tampered) pod.
 */
import { type ChildProcess, spawnSync } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { directoryStore } from '@modelseal/store';
import jsonpatch from 'fast-json-patch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { cli } from '../cli/test/helpers.ts';
import { D1 } from '../packages/admission/test/reviews.ts';
import { OMS, testSigner } from '../packages/admission/test/signing.ts';
import { listeningPort, spawnWebhook } from '../webhook/test/spawn-webhook.ts';
import { makeTlsFixture, send, type TlsFixture } from '../webhook/test/tls-fixture.ts';

const CLI_BIN = fileURLToPath(new URL('../cli/src/bin.ts', import.meta.url));
const VERIFIER_IMAGE = `registry.example.com/modelseal/modelseal@sha256:${'e5'.repeat(32)}`;
const TOKENIZER_IMAGE = `registry.example.com/models/tokenizer@${D1}`;

// biome-ignore lint/suspicious/noExplicitAny: pod objects are walked freely in assertions
type Json = Record<string, any>;

let dir: string;
let model: string;
let digest: string;
let tls: TlsFixture;
let child: ChildProcess | undefined;
let port: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'modelseal-runtime-'));
  model = join(dir, 'llama');
  mkdirSync(join(model, 'weights'), { recursive: true });
  writeFileSync(join(model, 'config.json'), '{"architectures":["LlamaForCausalLM"]}\n');
  writeFileSync(join(model, 'tokenizer.json'), '{"version":"1.0"}\n');
  const weights = Buffer.alloc(3 << 20);
  for (let i = 0; i < weights.length; i++) weights[i] = (i * 2654435761) >>> 24;
  writeFileSync(join(model, 'weights', 'model-00001-of-00001.safetensors'), weights);
  expect(cli(['keygen', '--output-key-prefix', join(dir, 'release')]).status).toBe(0);
  const signed = cli([
    'sign',
    model,
    '--key',
    join(dir, 'release.key'),
    '--store',
    join(dir, 'store'),
    '--output',
    'json',
  ]);
  expect(signed.status, signed.stderr).toBe(0);
  digest = `sha256:${JSON.parse(signed.stdout).subject.digest.sha256}`;
  // the tokenizer comes as an OCI image volume, attested by another signer
  const imageSigner = testSigner();
  await directoryStore(join(dir, 'store')).put(D1, OMS, await imageSigner.attest(D1));
  const policy = {
    apiVersion: 'modelseal.dev/v1alpha1',
    kind: 'ClusterModelPolicy',
    metadata: { name: 'release-models' },
    spec: {
      authorities: [
        { name: 'release', key: { publicKey: readFileSync(join(dir, 'release.pub'), 'utf8') } },
        { name: 'images', key: { publicKey: imageSigner.publicKeyPem } },
      ],
      require: [{ predicateType: OMS }],
      match: { volumes: { images: true, names: ['weights'] } },
    },
  };
  writeFileSync(join(dir, 'policy.yaml'), stringify(policy));
  tls = makeTlsFixture();
  child = spawnWebhook({
    tls,
    policyFile: join(dir, 'policy.yaml'),
    storeDir: join(dir, 'store'),
    stdio: ['ignore', 'ignore', 'pipe'],
    args: ['--verifier-image', VERIFIER_IMAGE],
  });
  port = await listeningPort(child);
});

afterAll(() => {
  child?.kill('SIGKILL');
  tls?.cleanup();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function pod(annotations: Record<string, string> = {}, extraInit: Json[] = []): Json {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'llm',
      namespace: 'ml-serving',
      annotations: { 'modelseal.dev/model-digest.weights': digest, ...annotations },
    },
    spec: {
      initContainers: [
        {
          name: 'fetch',
          image: 'busybox',
          command: ['true'],
          volumeMounts: [{ name: 'weights', mountPath: '/w' }],
        },
        ...extraInit,
      ],
      containers: [
        {
          name: 'srv',
          image: 'vllm/vllm-openai',
          volumeMounts: [
            { name: 'weights', mountPath: '/models', readOnly: true },
            { name: 'tokenizer', mountPath: '/tokenizer' },
          ],
        },
      ],
      volumes: [
        { name: 'weights', persistentVolumeClaim: { claimName: 'llama-weights' } },
        { name: 'tokenizer', image: { reference: TOKENIZER_IMAGE } },
      ],
    },
  };
}

function review(object: Json, uid = 'uid-runtime-1') {
  return JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid,
      kind: { group: '', version: 'v1', kind: 'Pod' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      namespace: 'ml-serving',
      operation: 'CREATE',
      object,
    },
  });
}

async function post(path: '/mutate' | '/validate', object: Json): Promise<Json> {
  const r = await send(port, tls.ca, path, review(object));
  expect(r.status, r.body).toBe(200);
  return JSON.parse(r.body).response;
}

/** /mutate, then its patch applied with fast-json-patch (validating every operation). */
async function admit(object: Json): Promise<{ patched: Json; response: Json; ops: Json[] }> {
  const response = await post('/mutate', object);
  expect(response.allowed).toBe(true);
  const ops = response.patch ? JSON.parse(Buffer.from(response.patch, 'base64').toString('utf8')) : [];
  if (response.patch) expect(response.patchType).toBe('JSONPatch');
  const patched = jsonpatch.applyPatch(structuredClone(object), ops, true, false).newDocument as Json;
  return { patched, response, ops };
}

const verifiers = (p: Json): Json[] =>
  (p.spec.initContainers as Json[]).filter((c) => String(c.name).startsWith('modelseal-verify'));

/**
 * The container as the kubelet would run it: the image's node and CLI paths are this checkout's,
 * the volume's mountPath is `volume`, the termination log is `termination`; nothing else changes.
 */
function runVerifier(c: Json, volume: string, termination: string) {
  expect(c.command).toEqual(['/nodejs/bin/node', '/app/cli/src/bin.ts']);
  const mount = c.volumeMounts[0].mountPath as string;
  const args = (c.args as string[]).map((a) =>
    a === mount
      ? volume
      : a === '--termination-log=/dev/termination-log'
        ? `--termination-log=${termination}`
        : a,
  );
  expect(args).not.toEqual(c.args);
  const env = Object.fromEntries((c.env ?? []).map((e: Json) => [e.name, e.value]));
  const r = spawnSync(process.execPath, [CLI_BIN, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', ...env },
    timeout: 50_000,
  });
  let message = '';
  try {
    message = readFileSync(termination, 'utf8');
  } catch {}
  return { status: r.status, stderr: r.stderr, message };
}

function volumeCopy(name: string): string {
  const v = join(dir, 'volumes', name);
  cpSync(model, v, { recursive: true });
  return v;
}

describe('start-up checks: /mutate, the injected command, /validate', () => {
  let patched: Json;
  let verifier: Json;

  it('/mutate injects one verifier for the PVC (none for the image volume), as the last init container', async () => {
    const { patched: p, response, ops } = await admit(pod());
    patched = p;
    expect(ops.map((o) => [o.op, o.path])).toEqual([['add', '/spec/initContainers/-']]);
    const vs = verifiers(p);
    expect(vs).toHaveLength(1);
    verifier = vs[0]!;
    expect(p.spec.initContainers.at(-1)).toBe(verifier);
    expect(verifier.name).toBe('modelseal-verify-weights');
    expect(verifier.image).toBe(VERIFIER_IMAGE);
    expect(verifier.volumeMounts).toEqual([
      { name: 'weights', mountPath: '/modelseal/volumes/weights', readOnly: true },
    ]);
    expect(verifier.securityContext).toMatchObject({
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
    expect(verifier.args).toContain(`--digest=${digest}`);
    // the signed ignore list, exactly: the bundle in the volume and the git paths
    expect(verifier.args.filter((a: string) => a.startsWith('--ignore-paths='))).toEqual(
      ['.git', '.gitattributes', '.github', '.gitignore', 'model.sig'].map((x) => `--ignore-paths=${x}`),
    );
    expect(response.auditAnnotations['verify.weights']).toContain(digest);
    expect(response.auditAnnotations['verify.weights']).toContain('authority=release');
  });

  it('/mutate is idempotent: the patched pod sent again (reinvocation) gets no patch', async () => {
    const again = await admit(patched);
    expect(again.ops).toEqual([]);
    expect(again.patched).toEqual(patched);
  });

  it('/validate admits the patched pod and records the admitted digest', async () => {
    const r = await post('/validate', patched);
    expect(r.allowed, r.status?.message).toBe(true);
    expect(r.auditAnnotations['release-models.weights']).toMatch(new RegExp(`^${digest} .*result=ok$`));
  });

  it('the injected command passes on the signed bytes (termination message written)', () => {
    const term = join(dir, 'term-ok');
    const r = runVerifier(verifier, volumeCopy('ok'), term);
    expect(r.status, r.stderr).toBe(0);
    expect(r.message).toContain(`holds ${digest}`);
  });

  const tampers: [string, (v: string) => void, RegExp, number][] = [
    [
      'a one-byte flip',
      (v) => {
        const f = join(v, 'weights', 'model-00001-of-00001.safetensors');
        const b = readFileSync(f);
        b[b.length >> 1]! ^= 1;
        writeFileSync(f, b);
      },
      /changed: weights\/model-00001-of-00001\.safetensors/,
      4,
    ],
    ['an added file', (v) => writeFileSync(join(v, 'extra.py'), 'print(1)\n'), /extra: extra\.py/, 4],
    ['a deleted file', (v) => unlinkSync(join(v, 'tokenizer.json')), /missing: tokenizer\.json/, 4],
    [
      'a symlink swapped in',
      (v) => {
        writeFileSync(join(dir, 'elsewhere.json'), '{"architectures":["LlamaForCausalLM"]}\n');
        unlinkSync(join(v, 'config.json'));
        symlinkSync(join(dir, 'elsewhere.json'), join(v, 'config.json'));
      },
      /"config\.json" is a symbolic link[^(]*\(SYMLINK_REFUSED\)/,
      4,
    ],
  ];
  for (const [what, tamper, names, exit] of tampers) {
    it(`the injected command fails after ${what}, naming the file (exit ${exit}, termination message)`, () => {
      const v = volumeCopy(what.replace(/\W+/g, '-'));
      tamper(v);
      const term = join(dir, `term-${what.replace(/\W+/g, '-')}`);
      const r = runVerifier(verifier, v, term);
      expect(r.status).toBe(exit);
      expect(r.stderr).toMatch(names);
      expect(r.message).toMatch(names);
      expect(r.message).toMatch(/^modelseal verify-digest: [A-Z_]+: /);
    });
  }
});

describe('/validate denies a pod author who tampers with the check', () => {
  let patched: Json;
  beforeAll(async () => {
    patched = (await admit(pod())).patched;
  });
  const editVerifier = (edit: (args: string[]) => string[]) => {
    const p = structuredClone(patched);
    const v = verifiers(p)[0]!;
    v.args = edit(v.args);
    return p;
  };
  const denied = async (object: Json, code: string) => {
    const r = await post('/validate', object);
    expect(r.allowed).toBe(false);
    expect(r.status.code).toBe(403);
    expect(r.status.message).toContain(`start-up check: ${code}: `);
    return r.status.message as string;
  };

  it('extra ignore paths: VERIFIER_TAMPERED (args)', async () => {
    const msg = await denied(
      editVerifier((a) => [...a, '--ignore-paths=weights']),
      'VERIFIER_TAMPERED',
    );
    expect(msg).toContain('(args)');
  });

  it('another digest: VERIFIER_TAMPERED', async () => {
    await denied(
      editVerifier((a) =>
        a.map((x) => (x.startsWith('--digest=') ? `--digest=sha256:${'00'.repeat(32)}` : x)),
      ),
      'VERIFIER_TAMPERED',
    );
  });

  it('a check turned into a no-op (args dropped, command replaced): VERIFIER_TAMPERED', async () => {
    const p = structuredClone(patched);
    const v = verifiers(p)[0]!;
    v.command = ['/bin/true'];
    await denied(p, 'VERIFIER_TAMPERED');
  });

  it('a pre-existing look-alike init container: VERIFIER_LOOKALIKE (and /mutate does not hide it)', async () => {
    const lookalike = { name: 'modelseal-verify-cache', image: 'busybox', command: ['true'] };
    const { patched: p } = await admit(pod({}, [lookalike]));
    await denied(p, 'VERIFIER_LOOKALIKE');
    const sameImage = {
      name: 'warmup',
      image: VERIFIER_IMAGE.replace(/@.*/, ':latest'),
      args: ['digest', '/w'],
    };
    await denied((await admit(pod({}, [sameImage]))).patched, 'VERIFIER_LOOKALIKE');
  });

  it('a pre-existing container with the verifier name and altered args is left alone by /mutate and denied', async () => {
    const fake = {
      ...structuredClone(verifiers(patched)[0]!),
      args: ['verify-digest', '/modelseal/volumes/weights', `--digest=${digest}`, '--ignore-paths=weights'],
    };
    const { patched: p } = await admit(pod({}, [fake]));
    expect(verifiers(p)).toHaveLength(1);
    await denied(p, 'VERIFIER_TAMPERED');
  });

  it('an annotation asking to skip the check: VERIFIER_SKIP_REFUSED', async () => {
    const p = structuredClone(patched);
    p.metadata.annotations['modelseal.dev/skip-verification'] = 'true';
    await denied(p, 'VERIFIER_SKIP_REFUSED');
  });

  it('the check removed (no /mutate): VERIFIER_MISSING', async () => {
    await denied(pod(), 'VERIFIER_MISSING');
  });

  it('an init container after the check: VERIFIER_NOT_LAST; /mutate moves the check back to the end', async () => {
    const p = structuredClone(patched);
    p.spec.initContainers.push({
      name: 'late',
      image: 'busybox',
      volumeMounts: [{ name: 'weights', mountPath: '/w' }],
    });
    await denied(p, 'VERIFIER_NOT_LAST');
    const again = await admit(p);
    expect(again.patched.spec.initContainers.map((c: Json) => c.name)).toEqual([
      'fetch',
      'late',
      'modelseal-verify-weights',
    ]);
    expect((await post('/validate', again.patched)).allowed).toBe(true);
  });

  it('metrics count mutations and injected containers', async () => {
    const r = await send(port, tls.ca, '/metrics');
    expect(r.body).toMatch(/modelseal_mutations_total\{result="patched"\} [1-9]/);
    expect(r.body).toMatch(/modelseal_mutations_total\{result="unchanged"\} [1-9]/);
    expect(r.body).toMatch(/modelseal_verifier_containers_injected_total [1-9]/);
  });
});
