import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../cli/src/bin.ts', import.meta.url));
const BUILDER = 'https://github.com/acme/train/.github/workflows/train.yml@refs/heads/main';
const COMMIT = 'c'.repeat(40);

let dir: string;
const store = () => join(dir, 'store');

/** Runs the CLI as users do, with a clean CI-free environment unless told otherwise. */
function cli(args: string[], env: Record<string, string> = {}) {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !k.startsWith('GITHUB_') && !k.startsWith('GITLAB') && !k.startsWith('CI_'),
    ),
  );
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...clean, ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// biome-ignore lint/suspicious/noExplicitAny: assertions walk arbitrary JSON
type Json = Record<string, any>;

function json(stdout: string): Json {
  return JSON.parse(stdout);
}

function payloadOf(bundlePath: string): Json {
  const b = JSON.parse(readFileSync(join(dir, bundlePath), 'utf8'));
  return JSON.parse(Buffer.from(b.dsseEnvelope.payload, 'base64').toString('utf8'));
}

function git(cwd: string, ...args: string[]) {
  const r = spawnSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@e',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@e',
    },
  });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.trim();
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ms-prov-e2e-'));
  expect(cli(['keygen', '--output-key-prefix', 'release']).status).toBe(0);
  mkdirSync(join(dir, 'reviews'));
  for (let i = 0; i < 5; i++)
    writeFileSync(join(dir, 'reviews', `part-${i}.jsonl`), `{"text":"review ${i}"}\n`);
  mkdirSync(join(dir, 'sentiment-model'));
  writeFileSync(join(dir, 'sentiment-model', 'model.safetensors'), Buffer.alloc(4096, 7));
  writeFileSync(join(dir, 'sentiment-model', 'config.json'), '{"labels":2}');
  mkdirSync(join(dir, 'train-code'));
  writeFileSync(join(dir, 'train-code', 'train.py'), 'print("train")\n');
  git(join(dir, 'train-code'), 'init', '-q');
  git(join(dir, 'train-code'), 'add', '.');
  git(join(dir, 'train-code'), 'commit', '-qm', 'init');
  git(join(dir, 'train-code'), 'remote', 'add', 'origin', 'https://bot:ghp_SECRET@github.com/acme/train.git');
  writeFileSync(
    join(dir, 'reviews.yaml'),
    `dataset: { name: reviews, version: "2026.01" }
sources:
  - uri: https://example.org/reviews.tar.gz
    digest: { sha256: ${'ab'.repeat(32)} }
    retrievedAt: "2026-01-02T03:04:05Z"
    license: CC-BY-4.0
splits:
  - { name: train, records: 5, digest: { sha256: ${'cd'.repeat(32)} } }
sensitivity: { pii: "no" }
`,
  );
  const pub = readFileSync(join(dir, 'release.pub'), 'utf8');
  writeFileSync(
    join(dir, 'policy.yaml'),
    `apiVersion: modelseal.dev/v1alpha1
kind: ClusterModelPolicy
metadata: { name: release-models }
spec:
  authorities:
    - name: release-key
      key: { publicKey: ${JSON.stringify(pub)} }
  require:
    - predicateType: https://slsa.dev/provenance/v1
      conditions:
        - 'predicate.runDetails.builder.id == "${BUILDER}"'
        - 'predicate.buildDefinition.resolvedDependencies.exists(d, d.annotations["modelseal.dev/role"] == "dataset")'
  requireAttestedDependencies: { maxDepth: 3 }
`,
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('provenance end to end (CLI processes)', () => {
  let datasetDigest = '';
  let modelDigest = '';

  it('signs the dataset and attests its dataset provenance into the store', () => {
    // `sign` leaves model.sig inside the dataset; every later hash of the dataset must ignore it
    const sig = cli(['sign', 'reviews', '--key', 'release.key', '--store', store(), '-o', 'json']);
    expect(sig.status).toBe(0);
    datasetDigest = `sha256:${json(sig.stdout).subject.digest.sha256}`;
    expect(datasetDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(json(sig.stdout).store).toContain(join('sha256', datasetDigest.slice(7)));

    // `attest --type oms` is the same signature, straight into a store or bundle
    const oms = cli([
      'attest',
      'reviews',
      '--type',
      'oms',
      '--key',
      'release.key',
      '--bundle',
      'oms.json',
      '-o',
      'json',
    ]);
    expect(oms.status).toBe(0);
    expect(json(oms.stdout).subject.digest).toBe(datasetDigest);
    expect(payloadOf('oms.json').predicateType).toBe('https://model_signing/signature/v1.0');

    const prov = cli([
      'attest',
      'reviews',
      '--type',
      'dataset',
      '--spec',
      'reviews.yaml',
      '--key',
      'release.key',
      '--store',
      store(),
      '--bundle',
      'reviews.dataset.sigstore.json',
      '-o',
      'json',
    ]);
    expect(prov.status).toBe(0);
    expect(json(prov.stdout).subject.digest).toBe(datasetDigest);
    const stmt = payloadOf('reviews.dataset.sigstore.json');
    expect(stmt.predicateType).toBe('https://modelseal.dev/dataset-provenance/v1');
    expect(stmt.predicate.splits[0].records).toBe(5);
  });

  it('attests the model as built from the dataset, the code and a pinned base model (CI detected)', () => {
    const r = cli(
      [
        'attest',
        'sentiment-model',
        '--dataset',
        'reviews',
        '--base-model',
        `hf://acme/base-small@${COMMIT}`,
        '--source',
        'train-code',
        '--external-parameter',
        'epochs=3',
        '--key',
        'release.key',
        '--store',
        store(),
        '--bundle',
        'model.slsa.sigstore.json',
        '-o',
        'json',
      ],
      {
        GITHUB_ACTIONS: 'true',
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_REPOSITORY: 'acme/train',
        GITHUB_WORKFLOW_REF: 'acme/train/.github/workflows/train.yml@refs/heads/main',
        GITHUB_SHA: COMMIT,
        GITHUB_REF: 'refs/heads/main',
        GITHUB_RUN_ID: '1234',
        GITHUB_RUN_ATTEMPT: '1',
      },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    modelDigest = json(r.stdout).subject.digest;
    const stmt = payloadOf('model.slsa.sigstore.json');
    expect(stmt.subject).toEqual([{ name: 'sentiment-model', digest: { sha256: modelDigest.slice(7) } }]);
    expect(stmt.predicate.runDetails.builder.id).toBe(BUILDER);
    expect(stmt.predicate.runDetails.metadata.invocationId).toBe(
      'https://github.com/acme/train/actions/runs/1234/attempts/1',
    );
    expect(stmt.predicate.buildDefinition.externalParameters).toMatchObject({
      epochs: '3',
      workflow: 'acme/train/.github/workflows/train.yml@refs/heads/main',
    });
    const deps = stmt.predicate.buildDefinition.resolvedDependencies;
    expect(deps[0]).toEqual({
      name: 'reviews',
      digest: { sha256: datasetDigest.slice(7) },
      annotations: { 'modelseal.dev/role': 'dataset' },
    });
    expect(deps[1]).toEqual({
      uri: `hf://acme/base-small@${COMMIT}`,
      digest: { gitCommit: COMMIT },
      annotations: { 'modelseal.dev/role': 'base-model' },
    });
    expect(deps[2].uri).toBe(
      'git+https://github.com/acme/train.git@refs/heads/master'.replace(
        'master',
        git(join(dir, 'train-code'), 'symbolic-ref', '--short', 'HEAD'),
      ),
    );
    expect(deps[2].digest.gitCommit).toBe(git(join(dir, 'train-code'), 'rev-parse', 'HEAD'));
    expect(JSON.stringify(stmt)).not.toContain('ghp_SECRET');
  });

  it('verify-attestation passes with a policy requiring attested datasets, by path and by digest', () => {
    const byPath = cli([
      'verify-attestation',
      'sentiment-model',
      '--policy',
      'policy.yaml',
      '--store',
      store(),
    ]);
    expect(byPath.stderr).toContain('OK: sentiment-model');
    expect(byPath.status).toBe(0);
    const byDigest = cli([
      'verify-attestation',
      modelDigest,
      '--policy',
      'policy.yaml',
      '--store',
      store(),
      '-o',
      'json',
    ]);
    expect(byDigest.status).toBe(0);
    const out = json(byDigest.stdout);
    expect(out.ok).toBe(true);
    expect(out.attestations.map((a: { subject: string }) => a.subject).sort()).toEqual(
      [modelDigest, datasetDigest, datasetDigest].sort(),
    );
  });

  it('fails with exit 7 naming the dataset and its digest once its attestations are gone', () => {
    rmSync(join(store(), 'sha256', datasetDigest.slice(7)), { recursive: true });
    const r = cli(['verify-attestation', 'sentiment-model', '--policy', 'policy.yaml', '--store', store()]);
    expect(r.status).toBe(7);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('DEPENDENCY_NOT_ATTESTED');
    expect(r.stderr).toContain(`dependency reviews (${datasetDigest})`);

    // a bundle handed over on the command line counts again
    const withBundle = cli([
      'verify-attestation',
      'sentiment-model',
      '--policy',
      'policy.yaml',
      '--store',
      store(),
      '--bundle',
      'reviews.dataset.sigstore.json',
    ]);
    expect(withBundle.status).toBe(0);
  });

  it('denies when the model bytes change after attestation', () => {
    writeFileSync(join(dir, 'sentiment-model', 'config.json'), '{"labels":3}');
    const r = cli([
      'verify-attestation',
      'sentiment-model',
      '--policy',
      'policy.yaml',
      '--store',
      store(),
      '-o',
      'json',
    ]);
    expect(r.status).toBe(7);
    expect(json(r.stdout).error.details.decision.reasons[0].code).toBe('ATTESTATION_MISSING');
    writeFileSync(join(dir, 'sentiment-model', 'config.json'), '{"labels":2}');
  });

  it('records a tampered bundle in the store as a reason instead of crashing', () => {
    const other = cli([
      'attest',
      '--subject',
      `thing@sha256:${'e'.repeat(64)}`,
      '--builder-id',
      BUILDER,
      '--key',
      'release.key',
      '--store',
      store(),
      '-o',
      'json',
    ]);
    expect(other.status).toBe(0);
    const path = json(other.stdout).store as string;
    const b = JSON.parse(readFileSync(path, 'utf8'));
    const stmt = JSON.parse(Buffer.from(b.dsseEnvelope.payload, 'base64').toString());
    stmt.predicate.runDetails.builder.id = 'https://evil.example';
    b.dsseEnvelope.payload = Buffer.from(JSON.stringify(stmt)).toString('base64');
    writeFileSync(path, JSON.stringify(b));
    const r = cli([
      'verify-attestation',
      `sha256:${'e'.repeat(64)}`,
      '--policy',
      'policy.yaml',
      '--store',
      store(),
    ]);
    expect(r.status).toBe(7);
    expect(r.stderr).toMatch(/ATTESTATION_MISSING/);
    expect(r.stderr).toContain(path);
  });

  it.each([
    [
      [
        'attest',
        'sentiment-model',
        '--builder-id',
        BUILDER,
        '--base-model',
        'hf://acme/base-small@main',
        '--key',
        'release.key',
      ],
      2,
      'DEPENDENCY_UNPINNED',
    ],
    [['attest', 'sentiment-model', '--key', 'release.key'], 2, 'BUILDER_ID_REQUIRED'],
    [
      ['attest', '--subject', 'x@sha256:123', '--builder-id', BUILDER, '--key', 'release.key'],
      2,
      'SUBJECT_INVALID',
    ],
    [
      ['attest', 'reviews', '--type', 'dataset', '--spec', 'policy.yaml', '--key', 'release.key'],
      6,
      'DATASET_PROVENANCE_INVALID',
    ],
    [['attest', 'no-such-dir', '--builder-id', BUILDER, '--key', 'release.key'], 5, 'MODEL_NOT_FOUND'],
    [['verify-attestation', 'sentiment-model', '--policy', 'reviews.yaml'], 6, 'POLICY_BAD_API_VERSION'],
    [['verify-attestation', 'sentiment-model'], 2, 'TRUST_MISSING'],
  ])('refuses %j with exit %i and %s', (args, status, code) => {
    const r = cli(args as string[]);
    expect(r.stderr).toContain(`error[${code}]`);
    expect(r.status).toBe(status);
  });

  it('rejects hostile predicate and policy files with coded errors', () => {
    writeFileSync(join(dir, 'deep.json'), '{"a":'.repeat(200) + '1' + '}'.repeat(200));
    writeFileSync(
      join(dir, 'bomb.yaml'),
      `a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n`,
    );
    writeFileSync(
      join(dir, 'bad-slsa.json'),
      JSON.stringify({ buildDefinition: { buildType: 5 }, runDetails: {} }),
    );
    writeFileSync(
      join(dir, 'bad-cel.yaml'),
      readFileSync(join(dir, 'policy.yaml'), 'utf8').replace('== "https', '=== "https'),
    );
    const subject = ['--subject', `m@sha256:${'f'.repeat(64)}`, '--key', 'release.key', '--store', store()];
    const cases: [string[], string][] = [
      [
        ['attest', ...subject, '--type', 'https://example.com/custom/v1', '--predicate', 'deep.json'],
        'JSON_TOO_DEEP',
      ],
      [
        ['attest', ...subject, '--type', 'https://example.com/custom/v1', '--predicate', 'bomb.yaml'],
        'DOCUMENT_MALFORMED',
      ],
      [['attest', ...subject, '--type', 'slsa', '--predicate', 'bad-slsa.json'], 'SLSA_INVALID'],
      [
        ['verify-attestation', 'sentiment-model', '--policy', 'bad-cel.yaml', '--store', store()],
        'POLICY_CEL_SYNTAX',
      ],
    ];
    for (const [args, code] of cases) {
      const r = cli(args);
      expect(r.stderr, args.join(' ')).toContain(`error[${code}]`);
      expect(r.status).toBe(6);
    }
  });
});
