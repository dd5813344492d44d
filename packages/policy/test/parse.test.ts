import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { SHARED_VECTORS } from '../../../test/shared-vectors.ts';
import { DEFAULT_ADMISSION_SETTINGS, parsePolicy } from '../src/index.ts';
import { PARSE, publicKeyPem, SLSA } from './fixtures.ts';

const KEY = publicKeyPem();

function selfSignedCa(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ms-ca-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        join(dir, 'k.pem'),
        '-out',
        join(dir, 'c.pem'),
        '-subj',
        '/CN=test-ca',
        '-days',
        '2',
      ],
      { stdio: 'ignore' },
    );
    return readFileSync(join(dir, 'c.pem'), 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function policyDoc(spec: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'modelseal.dev/v1alpha1',
    kind: 'ClusterModelPolicy',
    metadata: { name: 'release-models' },
    spec: {
      authorities: [{ name: 'release-key', key: { publicKey: KEY } }],
      require: [{ predicateType: 'oms' }],
      ...spec,
    },
  };
}

describe('parsePolicy', () => {
  it('parses the documented example into a frozen policy', () => {
    const ca = selfSignedCa();
    const yamlText = `
apiVersion: modelseal.dev/v1alpha1
kind: ClusterModelPolicy
metadata: { name: release-models }
spec:
  authorities:
    - name: release-key
      key: { publicKey: ${JSON.stringify(KEY)} }
    - name: ci
      keyless: { issuer: "https://token.actions.githubusercontent.com", identityRegexp: "https://github.com/acme/train/.*" }
    - name: corp-ca
      certificate: { roots: [${JSON.stringify(ca)}] }
  require:
    - predicateType: https://model_signing/signature/v1.0
    - predicateType: https://slsa.dev/provenance/v1
      authorities: [ci]
      conditions:
        - 'predicate.runDetails.builder.id == "https://github.com/acme/train/.github/workflows/train.yml@refs/heads/main"'
  requireAttestedDependencies: { maxDepth: 3 }
  mode: enforce
  match: { namespaces: ["ml-*"], volumes: { images: true, names: ["*-model"], annotation: "modelseal.dev/model" } }
  unpinned: deny
`;
    const p = parsePolicy(parseYaml(yamlText), 'policy.yaml', PARSE);
    expect(p.name).toBe('release-models');
    expect(p.kind).toBe('ClusterModelPolicy');
    expect(p.version).toMatch(/^[0-9a-f]{64}$/);
    expect(p.authorities.map((a) => a.trust.kind)).toEqual(['keys', 'sigstore', 'certificate-roots']);
    expect(p.authorities[1]!.identity).toEqual({
      issuer: 'https://token.actions.githubusercontent.com',
      identityRegexp: 'https://github.com/acme/train/.*',
    });
    expect(p.requirements[1]).toMatchObject({ predicateType: SLSA, authorities: ['ci'] });
    expect(p.requirements[1]!.conditions).toHaveLength(1);
    expect(p.requireAttestedDependencies).toEqual({ maxDepth: 3 });
    expect(p.admission).toEqual({
      mode: 'enforce',
      unpinned: 'deny',
      namespaces: ['ml-*'],
      excludeNamespaces: [],
      volumes: { images: true, names: ['*-model'], annotation: 'modelseal.dev/model' },
      containers: { names: [], images: [] },
    });
    expect(Object.isFrozen(p)).toBe(true);
    expect(Object.isFrozen(p.admission.volumes)).toBe(true);
    expect(Object.isFrozen(p.requirements[0])).toBe(true);
  });

  it('resolves admission defaults; keyless authorities always carry a parsed root', () => {
    const keyless = { issuer: 'https://issuer.example', identity: 'a@example.com' };
    const otherRoot = JSON.parse(
      readFileSync(
        `${SHARED_VECTORS}/sigstore-conformance/bundle-verify/intoto-with-custom-trust-root/trusted_root.json`,
        'utf8',
      ),
    );
    const p = parsePolicy(
      policyDoc({
        authorities: [
          { name: 'default-root', keyless },
          { name: 'own-root', keyless: { ...keyless, trustedRoot: otherRoot } },
        ],
      }),
      'p.yaml',
      PARSE,
    );
    expect(p.admission).toEqual(DEFAULT_ADMISSION_SETTINGS);
    const [byDefault, byOwn] = p.authorities.map((a) => a.trust);
    expect(byDefault).toEqual({ kind: 'sigstore', trustedRoot: PARSE.defaultTrustedRoot });
    expect(byDefault!.kind === 'sigstore' && byDefault!.trustedRoot).toBe(PARSE.defaultTrustedRoot);
    // parsed here, at parse time: a distinct TrustedRoot object, not the JSON
    expect(byOwn!.kind === 'sigstore' && byOwn!.trustedRoot).not.toBe(PARSE.defaultTrustedRoot);
    expect(byOwn!.kind === 'sigstore' && byOwn!.trustedRoot.tlogs[0]!.logId?.keyId).toBeInstanceOf(Buffer);
  });

  it('keeps unpinned only when set (unset, it follows the mode) and reads match.excludeNamespaces', () => {
    const unset = parsePolicy(policyDoc({ mode: 'warn' }), 'p.yaml', PARSE);
    expect(unset.admission.unpinned).toBeUndefined();
    expect('unpinned' in unset.admission).toBe(false);
    const set = parsePolicy(
      policyDoc({ mode: 'warn', unpinned: 'deny', match: { excludeNamespaces: ['ml-legacy', 'old-*'] } }),
      'p.yaml',
      PARSE,
    );
    expect(set.admission.unpinned).toBe('deny');
    expect(set.admission.excludeNamespaces).toEqual(['ml-legacy', 'old-*']);
    expect(Object.isFrozen(set.admission.excludeNamespaces)).toBe(true);
  });

  it('gives one version per meaning: key order does not matter, content does', () => {
    const a = parsePolicy(
      policyDoc({ require: [{ predicateType: 'oms', conditions: ['true'] }] }),
      'a',
      PARSE,
    );
    const doc = policyDoc({ require: [{ conditions: ['true'], predicateType: 'oms' }] });
    expect(parsePolicy(doc, 'b', PARSE).version).toBe(a.version);
    expect(parsePolicy(policyDoc({ require: [{ predicateType: 'slsa' }] }), 'c', PARSE).version).not.toBe(
      a.version,
    );
  });

  it('resolves short predicate type names', () => {
    const p = parsePolicy(
      policyDoc({ require: [{ predicateType: 'slsa' }, { predicateType: 'dataset' }] }),
      'x',
      PARSE,
    );
    expect(p.requirements.map((r) => r.predicateType)).toEqual([
      SLSA,
      'https://modelseal.dev/dataset-provenance/v1',
    ]);
  });

  const deep: Record<string, unknown> = {};
  let cur = deep;
  for (let i = 0; i < 100; i++) {
    const next: Record<string, unknown> = {};
    cur['a'] = next;
    cur = next;
  }

  it.each([
    ['not an object', 'x', 'POLICY_NOT_OBJECT'],
    ['null', null, 'POLICY_NOT_OBJECT'],
    ['array', [], 'POLICY_NOT_OBJECT'],
    ['wrong apiVersion', { ...policyDoc(), apiVersion: 'v1' }, 'POLICY_BAD_API_VERSION'],
    ['wrong kind', { ...policyDoc(), kind: 'Pod' }, 'POLICY_BAD_KIND'],
    ['no name', { ...policyDoc(), metadata: {} }, 'POLICY_NO_NAME'],
    ['no spec', { ...policyDoc(), spec: 3 }, 'POLICY_NO_SPEC'],
    ['typo in spec', policyDoc({ requires: [] }), 'POLICY_UNKNOWN_FIELD'],
    ['no authorities', policyDoc({ authorities: [] }), 'POLICY_NO_AUTHORITIES'],
    ['bad key', policyDoc({ authorities: [{ name: 'k', key: { publicKey: 'nope' } }] }), 'POLICY_BAD_KEY'],
    [
      'two methods',
      policyDoc({ authorities: [{ name: 'k', key: { publicKey: KEY }, keyless: {} }] }),
      'POLICY_BAD_AUTHORITY',
    ],
    [
      'bad name',
      policyDoc({ authorities: [{ name: '../x', key: { publicKey: KEY } }] }),
      'POLICY_BAD_AUTHORITY',
    ],
    [
      'dup name',
      policyDoc({
        authorities: [
          { name: 'k', key: { publicKey: KEY } },
          { name: 'k', key: { publicKey: KEY } },
        ],
      }),
      'POLICY_DUPLICATE_AUTHORITY',
    ],
    [
      'keyless without identity',
      policyDoc({ authorities: [{ name: 'k', keyless: { issuer: 'https://x' } }] }),
      'POLICY_KEYLESS_IDENTITY_REQUIRED',
    ],
    [
      'bad identity regexp',
      policyDoc({ authorities: [{ name: 'k', keyless: { issuer: 'https://x', identityRegexp: '(' } }] }),
      'POLICY_BAD_IDENTITY',
    ],
    [
      'identity regexp with a backreference (not RE2, which the verifier matches with)',
      policyDoc({
        authorities: [{ name: 'k', keyless: { issuer: 'https://x', identityRegexp: '(a)\\1' } }],
      }),
      'POLICY_BAD_IDENTITY',
    ],
    [
      'bad cert',
      policyDoc({
        authorities: [
          {
            name: 'k',
            certificate: { roots: ['-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----'] },
          },
        ],
      }),
      'POLICY_BAD_CERTIFICATE',
    ],
    ['no requirements', policyDoc({ require: [] }), 'POLICY_NO_REQUIREMENTS'],
    [
      'bad predicate type',
      policyDoc({ require: [{ predicateType: 'not a uri' }] }),
      'POLICY_BAD_REQUIREMENT',
    ],
    [
      'unknown authority',
      policyDoc({ require: [{ predicateType: 'oms', authorities: ['ghost'] }] }),
      'POLICY_UNKNOWN_AUTHORITY',
    ],
    [
      'CEL syntax',
      policyDoc({ require: [{ predicateType: 'oms', conditions: ['predicate.a =='] }] }),
      'POLICY_CEL_SYNTAX',
    ],
    [
      'CEL not string',
      policyDoc({ require: [{ predicateType: 'oms', conditions: [42] }] }),
      'POLICY_BAD_CONDITION',
    ],
    [
      'CEL too long',
      policyDoc({ require: [{ predicateType: 'oms', conditions: ['true && '.repeat(400) + 'true'] }] }),
      'POLICY_CONDITION_TOO_LONG',
    ],
    [
      'CEL nested comprehensions',
      policyDoc({
        require: [
          { predicateType: 'oms', conditions: ['[1].all(a, [1].all(b, [1].all(c, [1].all(d, true))))'] },
        ],
      }),
      'POLICY_CONDITION_TOO_COMPLEX',
    ],
    [
      'too many conditions',
      policyDoc({ require: [{ predicateType: 'oms', conditions: Array(40).fill('true') }] }),
      'POLICY_BAD_REQUIREMENT',
    ],
    [
      'bad maxDepth',
      policyDoc({ requireAttestedDependencies: { maxDepth: 1000 } }),
      'POLICY_BAD_DEPENDENCIES',
    ],
    ['deep nesting', policyDoc({ match: deep }), 'POLICY_TOO_LARGE'],
    ['unknown mode', policyDoc({ mode: 'sometimes' }), 'POLICY_ADMISSION_INVALID'],
    ['unknown unpinned action', policyDoc({ unpinned: 'ignore' }), 'POLICY_ADMISSION_INVALID'],
    ['match not an object', policyDoc({ match: ['ml'] }), 'POLICY_ADMISSION_INVALID'],
    ['typo under match', policyDoc({ match: { namespace: ['ml'] } }), 'POLICY_ADMISSION_INVALID'],
    ['namespaces not a list', policyDoc({ match: { namespaces: 'ml' } }), 'POLICY_ADMISSION_INVALID'],
    [
      'excludeNamespaces not a list',
      policyDoc({ match: { excludeNamespaces: 'kube-system' } }),
      'POLICY_ADMISSION_INVALID',
    ],
    [
      'empty excluded namespace',
      policyDoc({ match: { excludeNamespaces: [''] } }),
      'POLICY_ADMISSION_INVALID',
    ],
    [
      'images not a boolean',
      policyDoc({ match: { volumes: { images: 'yes' } } }),
      'POLICY_ADMISSION_INVALID',
    ],
    [
      'empty annotation key',
      policyDoc({ match: { volumes: { annotation: '' } } }),
      'POLICY_ADMISSION_INVALID',
    ],
    [
      'unknown containers field',
      policyDoc({ match: { containers: { modelcar: true } } }),
      'POLICY_ADMISSION_INVALID',
    ],
    [
      'container names not a list',
      policyDoc({ match: { containers: { names: 'modelcar' } } }),
      'POLICY_ADMISSION_INVALID',
    ],
    [
      'container image glob with a tag',
      policyDoc({ match: { containers: { images: ['registry.example.com/models/*:v1'] } } }),
      'POLICY_ADMISSION_INVALID',
    ],
    [
      'container image glob with a digest',
      policyDoc({ match: { containers: { images: [`registry.example.com/m@sha256:${'a'.repeat(64)}`] } } }),
      'POLICY_ADMISSION_INVALID',
    ],
    [
      'inline trusted root that is not one',
      policyDoc({
        authorities: [
          { name: 'k', keyless: { issuer: 'https://x', identity: 'a@b.c', trustedRoot: { mediaType: 'x' } } },
        ],
      }),
      'POLICY_BAD_TRUSTED_ROOT',
    ],
    [
      'huge authority list',
      policyDoc({ authorities: Array(1000).fill({ name: 'k', key: { publicKey: KEY } }) }),
      'POLICY_TOO_LARGE',
    ],
  ])('rejects %s with a coded error', (_what, doc, code) => {
    let caught: unknown;
    try {
      parsePolicy(doc, 'policy.yaml', PARSE);
    } catch (e) {
      caught = e;
    }
    expect(caught).toMatchObject({ code, kind: 'input' });
    expect((caught as Error).message).toContain('policy.yaml');
  });

  it('names the failing expression in CEL syntax errors', () => {
    expect(() =>
      parsePolicy(
        policyDoc({ require: [{ predicateType: 'oms', conditions: ['true', 'predicate.x ==== 1'] }] }),
        'p.yaml',
        PARSE,
      ),
    ).toThrow(/spec\.require\[0\]\.conditions\[1\].*predicate\.x ==== 1/);
  });
});
