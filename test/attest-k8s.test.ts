/**
 * `modelseal attest … --output k8s` prints the ModelAttestation custom resource for the bundle it
 * signed; applied to an API server (the fake one, over list/watch), the webhook's Kubernetes store
 * serves it byte for byte and a policy trusting the key admits a pod mounting that model.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { cleanup, cli, tempDir } from '../cli/test/helpers.ts';
import {
  createChecker,
  decide,
  parseReview,
  realVerify,
  toAdmissionPolicy,
} from '../packages/admission/src/index.ts';
import { podSpec, review, workload } from '../packages/admission/test/reviews.ts';
import { testEngine } from '../packages/admission/test/signing.ts';
import { type KubeSources, kubeSources, PLURALS } from '../webhook/src/kube.ts';
import { silentLogger } from '../webhook/src/log.ts';
import { type FakeApiServer, startFakeApiServer } from '../webhook/test/fake-apiserver.ts';

const OMS = 'https://model_signing/signature/v1.0';
let dir: string;
let api: FakeApiServer;
let sources: KubeSources | undefined;

beforeAll(() => {
  dir = tempDir();
  mkdirSync(join(dir, 'llm'));
  writeFileSync(join(dir, 'llm', 'weights.bin'), 'not really weights');
  writeFileSync(join(dir, 'llm', 'config.json'), '{"layers": 2}');
  expect(cli(['keygen', '--output-key-prefix', join(dir, 'release')]).status).toBe(0);
});

afterAll(async () => {
  await sources?.stop();
  await api?.close();
  cleanup();
});

describe('attest --output k8s', () => {
  it('prints a ModelAttestation the webhook store serves and a policy admits', async () => {
    const r = cli([
      ...['attest', join(dir, 'llm'), '--type', 'oms', '--key', join(dir, 'release.key')],
      ...['--output', 'k8s', '--k8s-namespace', 'ml', '--bundle', join(dir, 'llm.sigstore.json')],
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('ModelAttestation on stdout');
    const resource = parse(r.stdout);
    expect(resource).toMatchObject({
      apiVersion: 'modelseal.dev/v1alpha1',
      kind: 'ModelAttestation',
      metadata: { namespace: 'ml', annotations: { 'modelseal.dev/subject-name': 'llm' } },
      spec: { predicateType: OMS },
    });
    expect(resource.metadata.name).toMatch(/^llm-model-signing-signature-v1-0-[0-9a-f]{12}-[0-9a-f]{8}$/);
    // the bundle text is the signed bundle, byte for byte
    expect(resource.spec.bundle).toBe(readFileSync(join(dir, 'llm.sigstore.json'), 'utf8'));
    const digest: string = resource.spec.subjectDigest;
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);

    api = await startFakeApiServer();
    api.put(PLURALS.attestations, resource);
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'fake', server: api.url, skipTLSVerify: true }],
      users: [{ name: 'u' }],
      contexts: [{ name: 'c', cluster: 'fake', user: 'u' }],
      currentContext: 'c',
    });
    sources = await kubeSources(kc, testEngine, silentLogger, { retryMs: 50 });
    const found = await sources.store.find(digest);
    expect(found).toHaveLength(1);
    expect(Buffer.from(found[0]!.bundle).equals(readFileSync(join(dir, 'llm.sigstore.json')))).toBe(true);

    const admission = toAdmissionPolicy(
      {
        apiVersion: 'modelseal.dev/v1alpha1',
        kind: 'ClusterModelPolicy',
        metadata: { name: 'release' },
        spec: {
          authorities: [
            { name: 'release', key: { publicKey: readFileSync(join(dir, 'release.pub'), 'utf8') } },
          ],
          require: [{ predicateType: OMS }],
          match: { volumes: { names: ['weights'] } },
        },
      },
      'test',
      testEngine,
    );
    const checker = createChecker({
      store: sources.store,
      verify: realVerify,
      engine: testEngine,
      now: Date.now,
    });
    const pod = (d: string) =>
      workload('Pod', podSpec([{ name: 'weights', persistentVolumeClaim: { claimName: 'llm' } }]), {
        'modelseal.dev/model-digest.weights': d,
      });
    const deps = { policies: () => [admission], checker, deadlineMs: 5000 };
    const ok = await decide(parseReview(review(pod(digest), { namespace: 'ml' })), deps);
    expect(ok.status?.message).toBeUndefined();
    expect(ok.allowed).toBe(true);
    const other = `sha256:${'0'.repeat(64)}`;
    const bad = await decide(parseReview(review(pod(other), { namespace: 'ml' })), deps);
    expect(bad.allowed).toBe(false);
  });

  it('names and namespaces are checked; the k8s flags need --output k8s', () => {
    const base = [
      'attest',
      join(dir, 'llm'),
      '--type',
      'oms',
      '--key',
      join(dir, 'release.key'),
      '--no-store',
    ];
    const badName = cli([...base, '--output', 'k8s', '--k8s-name', 'Not_A_Name']);
    expect(badName.status).toBe(2);
    expect(badName.stderr).toContain('BAD_K8S_NAME');
    const badNs = cli([...base, '--output', 'k8s', '--k8s-namespace', 'a.b']);
    expect(badNs.status).toBe(2);
    expect(badNs.stderr).toContain('BAD_K8S_NAME');
    const alone = cli([...base, '--k8s-name', 'x']);
    expect(alone.status).toBe(2);
    expect(alone.stderr).toContain('USAGE_CONFLICT');
    // --no-store with --output k8s is enough: the resource is the output
    const only = cli([...base, '--output', 'k8s', '--k8s-name', 'llm-oms']);
    expect(only.status, only.stderr).toBe(0);
    expect(parse(only.stdout).metadata).toEqual({
      name: 'llm-oms',
      annotations: { 'modelseal.dev/subject-name': 'llm' },
    });
  });
});
