/**
 * The quick start's main job on its embedded default: sign the bundled sample model, verify it,
 * show a tampered copy failing, and run sample Pods through the admission decision. Every step is
 * the real CLI run as a user would type it; a step whose exit code is not the expected one fails
 * the demo.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'cli/src/bin.ts');
const work = mkdtempSync(join(tmpdir(), 'modelseal-demo-'));
const model = join(work, 'sample-model');
const store = join(work, 'attestations');
const color = process.stdout.isTTY
  ? (c: number, s: string) => `\x1b[${c}m${s}\x1b[0m`
  : (_: number, s: string) => s;

function step(title: string, args: string[], expectCode: number): string {
  process.stdout.write(`\n${color(1, `## ${title}`)}\n${color(2, `$ modelseal ${args.join(' ')}`)}\n`);
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd: work, env: process.env });
  if (r.stdout) process.stdout.write(r.stdout);
  if (r.stderr) process.stdout.write(r.stderr);
  const ok = r.status === expectCode;
  process.stdout.write(
    `${color(ok ? 32 : 31, `-> exit ${r.status}${ok ? ' (as expected)' : ` (expected ${expectCode})`}`)}\n`,
  );
  if (!ok) throw new Error(`demo step "${title}" exited ${r.status}, expected ${expectCode}`);
  return r.stdout;
}

try {
  cpSync(join(root, 'examples/sample-model'), model, { recursive: true });
  const digestJson = JSON.parse(
    step(
      "The model's OMS digest: what signatures and attestations bind to",
      ['digest', model, '--output', 'json'],
      0,
    ),
  );
  const digest: string = digestJson.digest.sha256;
  step(
    'Make a signing key (ECDSA P-256; private key written 0600)',
    ['keygen', '--output-key-prefix', 'demo'],
    0,
  );
  step(
    'Sign the sample model (OMS v1.0 bundle, model_signing-compatible)',
    ['sign', model, '--key', 'demo.key'],
    0,
  );
  step('Verify it', ['verify', model, '--key', 'demo.pub'], 0);

  const weights = join(model, 'model.safetensors');
  const bytes = readFileSync(weights);
  bytes[bytes.length - 1] ^= 0x01;
  writeFileSync(weights, bytes);
  process.stdout.write(`\n(flipped one bit of ${weights})\n`);
  step('Verify the tampered copy: fails, naming the changed file', ['verify', model, '--key', 'demo.pub'], 4);

  // Attest the pristine model into a local store, as a release pipeline would.
  cpSync(join(root, 'examples/sample-model'), join(work, 'pristine'), { recursive: true });
  step(
    'Sign the pristine model into the attestation store',
    ['attest', join(work, 'pristine'), '--type', 'oms', '--key', 'demo.key', '--store', store],
    0,
  );

  const publicKey = readFileSync(join(work, 'demo.pub'), 'utf8');
  writeFileSync(join(work, 'policy.yaml'), policyYaml(publicKey));
  writeFileSync(join(work, 'pods.yaml'), podsYaml(digest));
  step(
    'Admission decision for two Pods (one signed model; one unpinned image + an unsigned digest)',
    ['policy', 'test', 'pods.yaml', '--policy', 'policy.yaml', '--store', store],
    7,
  );
  process.stdout.write(`\n${color(32, 'demo finished: every step behaved as expected')}\n`);
} catch (e) {
  process.stderr.write(`demo failed: ${(e as Error).message}\n`);
  process.exitCode = 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}

function policyYaml(pem: string): string {
  const key = pem
    .trim()
    .split('\n')
    .map((l) => `          ${l}`)
    .join('\n');
  return `apiVersion: modelseal.dev/v1alpha1
kind: ClusterModelPolicy
metadata: { name: demo-release-key }
spec:
  authorities:
    - name: demo-key
      key:
        publicKey: |
${key}
  require:
    - predicateType: https://model_signing/signature/v1.0
  mode: enforce
  unpinned: deny
  match:
    volumes: { images: true, annotation: modelseal.dev/model }
`;
}

function podsYaml(digest: string): string {
  return `apiVersion: v1
kind: Pod
metadata:
  name: signed-model
  namespace: ml-serving
  annotations:
    modelseal.dev/model-digest.weights: sha256:${digest}
spec:
  containers: [{ name: server, image: ghcr.io/example/server@sha256:${'1'.repeat(64)}, volumeMounts: [{ name: weights, mountPath: /models }] }]
  volumes:
    - name: weights
      persistentVolumeClaim: { claimName: sample-model }
---
apiVersion: v1
kind: Pod
metadata:
  name: unsigned-model
  namespace: ml-serving
  annotations:
    modelseal.dev/model-digest.adapters: sha256:${'ab'.repeat(32)}
spec:
  containers: [{ name: server, image: ghcr.io/example/server@sha256:${'1'.repeat(64)} }]
  volumes:
    - name: base-model
      image: { reference: registry.example.com/models/llama:v1 }
    - name: adapters
      persistentVolumeClaim: { claimName: adapters }
`;
}
