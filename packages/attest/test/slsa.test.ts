import { describe, expect, it } from 'vitest';
import {
  buildSlsaProvenance,
  detectCi,
  gitSourceDescriptor,
  parseDependencyRef,
  parseSlsaProvenance,
  resolvePredicateType,
  scrubGitUrl,
  TRAINING_BUILD_TYPE,
} from '../src/index.ts';

// biome-ignore lint/suspicious/noExplicitAny: tests poke at arbitrary JSON
type Json = Record<string, any>;
const H = 'ab'.repeat(32);
const COMMIT = 'c'.repeat(40);

describe('SLSA v1 provenance', () => {
  const built = () =>
    buildSlsaProvenance({
      builderId: 'https://ci.example/train@v1',
      externalParameters: { epochs: '3' },
      resolvedDependencies: [
        { name: 'train-data', digest: { sha256: H }, annotations: { 'modelseal.dev/role': 'dataset' } },
        { uri: `hf://acme/base@${COMMIT}`, digest: { gitCommit: COMMIT } },
      ],
      invocationId: 'run-1',
      startedOn: '2026-01-01T00:00:00Z',
      finishedOn: '2026-01-01T01:00:00Z',
    });

  it('builds the spec shape and round-trips through JSON and the parser unchanged', () => {
    const p = built();
    expect(p.buildDefinition.buildType).toBe(TRAINING_BUILD_TYPE);
    expect(p.runDetails.builder.id).toBe('https://ci.example/train@v1');
    expect(p.runDetails.metadata).toEqual({
      invocationId: 'run-1',
      startedOn: '2026-01-01T00:00:00Z',
      finishedOn: '2026-01-01T01:00:00Z',
    });
    const text = JSON.stringify(p);
    expect(JSON.stringify(parseSlsaProvenance(JSON.parse(text)))).toBe(text);
  });

  const mutate = (f: (p: Json) => void) => {
    const p = structuredClone(built()) as Json;
    f(p);
    return p;
  };
  it.each([
    ['not an object', () => 'x', 'predicate'],
    ['no buildType', () => mutate((p) => delete p.buildDefinition.buildType), 'buildDefinition.buildType'],
    [
      'buildType a number',
      () => mutate((p) => (p.buildDefinition.buildType = 7)),
      'buildDefinition.buildType',
    ],
    [
      'no externalParameters',
      () => mutate((p) => delete p.buildDefinition.externalParameters),
      'externalParameters',
    ],
    [
      'externalParameters an array',
      () => mutate((p) => (p.buildDefinition.externalParameters = [])),
      'externalParameters',
    ],
    ['no builder.id', () => mutate((p) => delete p.runDetails.builder.id), 'runDetails.builder.id'],
    ['no runDetails', () => mutate((p) => delete p.runDetails), 'runDetails'],
    [
      'descriptor without uri/digest/content',
      () => mutate((p) => p.buildDefinition.resolvedDependencies.push({ name: 'x' })),
      'resolvedDependencies[2]',
    ],
    [
      'descriptor not an object',
      () => mutate((p) => (p.buildDefinition.resolvedDependencies[0] = 'x')),
      'resolvedDependencies[0]',
    ],
    [
      'bad digest hex',
      () => mutate((p) => (p.buildDefinition.resolvedDependencies[0].digest = { sha256: 'zz' })),
      'digest.sha256',
    ],
    [
      'huge dependency list',
      () => mutate((p) => (p.buildDefinition.resolvedDependencies = Array(20_000).fill({ uri: 'x' }))),
      'over the limit',
    ],
    ['bad timestamp', () => mutate((p) => (p.runDetails.metadata.startedOn = 'yesterday')), 'startedOn'],
    [
      'finished before started',
      () => mutate((p) => (p.runDetails.metadata.finishedOn = '2025-01-01T00:00:00Z')),
      'before startedOn',
    ],
    ['giant builder id', () => mutate((p) => (p.runDetails.builder.id = 'x'.repeat(100_000))), 'longer than'],
  ])('rejects %s with SLSA_INVALID naming the field', (_w, make, where) => {
    expect(() => parseSlsaProvenance(make())).toThrowError(
      expect.objectContaining({ code: 'SLSA_INVALID', message: expect.stringContaining(where) }),
    );
  });
});

describe('dependency references', () => {
  it('accepts commit-pinned Hugging Face URIs and digest-pinned URIs', () => {
    expect(parseDependencyRef(`hf://acme/base-7b@${COMMIT}`, '--base-model')).toEqual({
      kind: 'hf',
      uri: `hf://acme/base-7b@${COMMIT}`,
      commit: COMMIT,
    });
    expect(parseDependencyRef(`hf://datasets/acme/imdb@${COMMIT}`, '--dataset')).toMatchObject({
      kind: 'hf',
    });
    expect(parseDependencyRef(`s3://bucket/ds@sha256:${H}`, '--dataset')).toEqual({
      kind: 'pinned',
      uri: 's3://bucket/ds',
      sha256: H,
    });
    expect(parseDependencyRef('./data/train', '--dataset')).toEqual({ kind: 'path', path: './data/train' });
  });

  it.each([
    ['hf://acme/base@main', 'DEPENDENCY_UNPINNED'],
    ['hf://acme/base', 'DEPENDENCY_UNPINNED'],
    ['hf://acme/base@v1.0', 'DEPENDENCY_UNPINNED'],
    [`hf://acme/base@${COMMIT.slice(0, 7)}`, 'DEPENDENCY_UNPINNED'],
    ['hf://../../etc@x', 'DEPENDENCY_INVALID'],
    ['https://example.org/data.tar', 'DEPENDENCY_UNPINNED'],
    ['', 'DEPENDENCY_INVALID'],
    ['a\0b', 'DEPENDENCY_INVALID'],
  ])('refuses %j with %s', (ref, code) => {
    expect(() => parseDependencyRef(ref, '--dataset')).toThrowError(expect.objectContaining({ code }));
  });

  it('explains namespace reuse when a branch is given', () => {
    expect(() => parseDependencyRef('hf://acme/base@main', '--base-model')).toThrow(/namespace reuse/);
  });

  it('scrubs credentials from git remotes', () => {
    expect(scrubGitUrl('https://bot:ghp_SECRET@github.com/acme/train.git')).toBe(
      'https://github.com/acme/train.git',
    );
    expect(scrubGitUrl('git@github.com:acme/train.git')).toBe('ssh://github.com/acme/train.git');
    expect(JSON.stringify(gitSourceDescriptor('https://x:tok@h/r', COMMIT))).not.toContain('tok');
  });
});

describe('CI detection (pure env mapping)', () => {
  it('maps GitHub Actions variables', () => {
    const ci = detectCi({
      GITHUB_ACTIONS: 'true',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_REPOSITORY: 'acme/train',
      GITHUB_WORKFLOW_REF: 'acme/train/.github/workflows/train.yml@refs/heads/main',
      GITHUB_SHA: COMMIT,
      GITHUB_REF: 'refs/heads/main',
      GITHUB_RUN_ID: '42',
      GITHUB_RUN_ATTEMPT: '2',
    });
    expect(ci).toMatchObject({
      system: 'github-actions',
      builderId: 'https://github.com/acme/train/.github/workflows/train.yml@refs/heads/main',
      invocationId: 'https://github.com/acme/train/actions/runs/42/attempts/2',
      source: { uri: 'git+https://github.com/acme/train@refs/heads/main', digest: { gitCommit: COMMIT } },
    });
  });

  it('maps GitLab CI variables', () => {
    const ci = detectCi({
      GITLAB_CI: 'true',
      CI_SERVER_URL: 'https://gitlab.example',
      CI_PROJECT_PATH: 'ml/train',
      CI_COMMIT_SHA: COMMIT,
      CI_COMMIT_REF_NAME: 'main',
      CI_JOB_ID: '7',
      CI_PIPELINE_ID: '9',
      CI_CONFIG_PATH: 'ci/train.yml',
    });
    expect(ci).toMatchObject({
      system: 'gitlab-ci',
      builderId: 'https://gitlab.example/ml/train/ci/train.yml@refs/heads/main',
      invocationId: 'https://gitlab.example/ml/train/-/jobs/7',
      externalParameters: { pipeline: 'https://gitlab.example/ml/train/-/pipelines/9' },
    });
  });

  it('returns nothing outside CI or with incomplete variables', () => {
    expect(detectCi({})).toBeUndefined();
    expect(detectCi({ GITHUB_ACTIONS: 'true' })).toBeUndefined();
  });
});

describe('predicate type names', () => {
  it('resolves short names and URIs, refuses junk', () => {
    expect(resolvePredicateType('slsa')).toBe('https://slsa.dev/provenance/v1');
    expect(resolvePredicateType('https://cyclonedx.org/bom')).toBe('https://cyclonedx.org/bom');
    expect(() => resolvePredicateType('toString')).toThrowError(
      expect.objectContaining({ code: 'BAD_PREDICATE_TYPE' }),
    );
  });
});
