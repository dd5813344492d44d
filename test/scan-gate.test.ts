/**
 * The scan gate as a cluster meets it: models signed and scanned with the CLI into a directory
 * store, one policy requiring the OMS signature and a passing scan from the release key, and the
 * same decision from `policy test` (a process) and the webhook binary (an AdmissionReview over HTTPS).
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { cleanup, cli, tempDir } from '../cli/test/helpers.ts';
import { osSystemPickle, writeModel } from '../cli/test/scan-fixtures.ts';
import { listeningPort, spawnWebhook } from '../webhook/test/spawn-webhook.ts';
import { makeTlsFixture, send, type TlsFixture } from '../webhook/test/tls-fixture.ts';

const SCAN = 'https://modelseal.dev/scan-result/v1';

let dir: string;
const p = (f: string) => join(dir, f);
const digests: Record<'scanned' | 'unscanned' | 'tainted', string> = {
  scanned: '',
  unscanned: '',
  tainted: '',
};
let tls: TlsFixture | undefined;
let child: ChildProcess | undefined;

function sign(m: string): string {
  const r = cli(['sign', m, '--key', p('release.key'), '--store', p('store'), '-o', 'json']);
  expect(r.status, r.stderr).toBe(0);
  return `sha256:${JSON.parse(r.stdout).subject.digest.sha256}`;
}

const scanAttest = (m: string) =>
  cli(['scan', m, '--attest', '--key', p('release.key'), '--store', p('store')]).status;

/** A Pod serving the model from a PVC, its content digest declared in the annotation. */
function pod(name: string, digest: string) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'ml-serving',
      annotations: { 'modelseal.dev/model-digest.weights': digest },
    },
    spec: {
      containers: [
        { name: 'srv', image: 'vllm/vllm-openai', volumeMounts: [{ name: 'weights', mountPath: '/models' }] },
      ],
      volumes: [{ name: 'weights', persistentVolumeClaim: { claimName: `${name}-weights` } }],
    },
  };
}

beforeAll(() => {
  dir = tempDir();
  expect(cli(['keygen', '--output-key-prefix', p('release')]).status).toBe(0);
  const scanned = writeModel(dir, 'scanned');
  digests.scanned = sign(scanned);
  expect(scanAttest(scanned)).toBe(0);
  digests.unscanned = sign(writeModel(dir, 'unscanned'));
  const tainted = writeModel(dir, 'tainted');
  writeFileSync(join(tainted, 'training_args.bin'), osSystemPickle());
  digests.tainted = sign(tainted);
  expect(scanAttest(tainted)).toBe(7);
  writeFileSync(
    p('policy.yaml'),
    stringify({
      apiVersion: 'modelseal.dev/v1alpha1',
      kind: 'ClusterModelPolicy',
      metadata: { name: 'signed-and-scanned' },
      spec: {
        authorities: [{ name: 'release', key: { publicKey: readFileSync(p('release.pub'), 'utf8') } }],
        require: [
          { predicateType: 'oms' },
          { predicateType: 'scan', conditions: ['predicate.verdict == "pass"'] },
        ],
      },
    }),
  );
  for (const k of Object.keys(digests) as (keyof typeof digests)[])
    writeFileSync(p(`${k}.yaml`), stringify(pod(k, digests[k])));
});

afterAll(() => {
  child?.kill('SIGKILL');
  tls?.cleanup();
  cleanup();
});

const policyTest = (k: keyof typeof digests) =>
  cli(['policy', 'test', p(`${k}.yaml`), '--policy', p('policy.yaml'), '--store', p('store'), '-o', 'json']);

describe('policy test: a pod mounting a model needs a passing scan attestation', () => {
  it('is allowed with the signature and a passing scan', () => {
    const r = policyTest('scanned');
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).verdicts.map((v: { verdict: string }) => v.verdict)).toEqual(['allowed']);
  });

  it('is denied without a scan attestation, naming the missing scan', () => {
    const r = policyTest('unscanned');
    expect(r.status).toBe(7);
    const [v] = JSON.parse(r.stdout).verdicts;
    expect(v.verdict).toBe('denied');
    expect(v.message).toContain('volume weights (spec.volumes[0])');
    expect(v.message).toContain(digests.unscanned);
    expect(v.message).toContain(`ATTESTATION_MISSING: no verified ${SCAN} attestation`);
  });

  it('is denied when the signed scan failed, naming the condition and the scan requirement', () => {
    const r = policyTest('tainted');
    expect(r.status).toBe(7);
    const [v] = JSON.parse(r.stdout).verdicts;
    expect(v.verdict).toBe('denied');
    expect(v.message).toContain('CONDITION_FAILED: condition "predicate.verdict == \\"pass\\"" is false');
    expect(v.message).toContain(`[requirement ${SCAN}]`);
    expect(v.message).not.toContain('ATTESTATION_MISSING');
  });
});

describe('the webhook over HTTPS gives the same decision', () => {
  it('allows the scanned model and denies the failed scan with a 403 naming it', async () => {
    tls = makeTlsFixture();
    child = spawnWebhook({
      tls,
      policyFile: p('policy.yaml'),
      storeDir: p('store'),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const port = await listeningPort(child);
    const admit = async (k: keyof typeof digests) => {
      const review = {
        apiVersion: 'admission.k8s.io/v1',
        kind: 'AdmissionReview',
        request: {
          uid: `uid-${k}`,
          kind: { group: '', version: 'v1', kind: 'Pod' },
          resource: { group: '', version: 'v1', resource: 'pods' },
          namespace: 'ml-serving',
          operation: 'CREATE',
          object: pod(k, digests[k]),
        },
      };
      const r = await send(port, tls!.ca, '/validate', JSON.stringify(review));
      expect(r.status).toBe(200);
      const body = JSON.parse(r.body);
      expect(body.response.uid).toBe(`uid-${k}`);
      return body.response;
    };
    expect((await admit('scanned')).allowed).toBe(true);
    const denied = await admit('tainted');
    expect(denied.allowed).toBe(false);
    expect(denied.status.code).toBe(403);
    expect(denied.status.message).toContain('policy signed-and-scanned');
    expect(denied.status.message).toContain(digests.tainted);
    expect(denied.status.message).toContain(
      'CONDITION_FAILED: condition "predicate.verdict == \\"pass\\"" is false',
    );
    expect(denied.status.message).toContain(`[requirement ${SCAN}]`);
  }, 60_000);
});
