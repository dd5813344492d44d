import { describe, expect, it } from 'vitest';
import { evaluate, parsePolicy } from '../src/index.ts';
import { att, dig, evidenceMap, OMS, PARSE, provenance, publicKeyPem, SLSA, statement } from './fixtures.ts';

const KEY = publicKeyPem();
const BUILDER = 'https://github.com/acme/train/.github/workflows/train.yml@refs/heads/main';

function policy(spec: Record<string, unknown> = {}) {
  return parsePolicy(
    {
      apiVersion: 'modelseal.dev/v1alpha1',
      kind: 'ModelPolicy',
      metadata: { name: 'p', namespace: 'ml' },
      spec: {
        authorities: [
          { name: 'release-key', key: { publicKey: KEY } },
          { name: 'ci', key: { publicKey: KEY } },
        ],
        require: [
          { predicateType: 'oms' },
          {
            predicateType: 'slsa',
            authorities: ['ci'],
            conditions: [`predicate.runDetails.builder.id == "${BUILDER}"`],
          },
        ],
        ...spec,
      },
    },
    'test',
    PARSE,
  );
}

const M = dig('a');
const goodProv = () => ({ ...provenance([]), runDetails: { builder: { id: BUILDER } } });

describe('evaluate', () => {
  it('allows when every requirement has a verified, bound, condition-passing attestation', () => {
    const d = evaluate({
      policy: policy(),
      subject: M,
      evidence: evidenceMap({
        [M]: [att('release-key', statement('a', OMS)), att('ci', statement('a', SLSA, goodProv()))],
      }),
    });
    expect(d).toMatchObject({ allowed: true, reasons: [], policy: 'p' });
    expect(d.signers).toEqual([
      { kind: 'key', keyId: 'release-key' },
      { kind: 'key', keyId: 'ci' },
    ]);
  });

  it('returns every reason, not just the first', () => {
    const d = evaluate({ policy: policy(), subject: M, evidence: new Map() });
    expect(d.allowed).toBe(false);
    expect(d.reasons.map((r) => [r.code, r.requirement])).toEqual([
      ['ATTESTATION_MISSING', OMS],
      ['ATTESTATION_MISSING', SLSA],
    ]);
    // the reason names its subject in a field of its own; the message does not repeat the digest
    expect(d.reasons[0]!.subject).toBe(M);
    expect(d.reasons[0]!.message).not.toContain(M);
  });

  it('ignores attestations whose signed subject is another digest', () => {
    const d = evaluate({
      policy: policy(),
      subject: M,
      evidence: evidenceMap({
        [M]: [att('release-key', statement('b', OMS)), att('ci', statement('a', SLSA, goodProv()))],
      }),
    });
    expect(d.reasons.map((r) => r.code)).toEqual(['ATTESTATION_MISSING']);
  });

  it('accepts the legacy OMS predicate type for an OMS requirement', () => {
    const legacy = statement('a', 'https://model_signing/Digests/v0.1');
    const d = evaluate({
      policy: policy({ require: [{ predicateType: 'oms' }] }),
      subject: M,
      evidence: evidenceMap({ [M]: [att('release-key', legacy)] }),
    });
    expect(d.allowed).toBe(true);
  });

  it('refuses provenance signed by an authority the requirement does not name', () => {
    const d = evaluate({
      policy: policy(),
      subject: M,
      evidence: evidenceMap({
        [M]: [att('release-key', statement('a', OMS)), att('release-key', statement('a', SLSA, goodProv()))],
      }),
    });
    expect(d.reasons).toHaveLength(1);
    expect(d.reasons[0]).toMatchObject({ code: 'WRONG_AUTHORITY', requirement: SLSA });
    expect(d.reasons[0]!.message).toMatch(/signed by \[release-key\].*only \[ci\]/);
  });

  it('reports failing, erroring, non-bool and over-budget conditions with codes', () => {
    const big = Array.from({ length: 5000 }, (_, i) => ({ i }));
    const p = policy({
      require: [
        {
          predicateType: 'slsa',
          conditions: [
            'predicate.runDetails.builder.id == "other"',
            'predicate.nope.deeper == 1',
            'predicate.runDetails',
            'predicate.big.all(x, predicate.big.all(y, x.i >= 0))',
            'predicate.runDetails.builder.id.matches("^(a+)+$")',
            'size(predicate.big) == 5000 && predicate.big.exists(x, x.i == 4999)',
            'predicate.big[3].i + 1 == 4',
          ],
        },
      ],
    });
    const pred = { ...goodProv(), big, runDetails: { builder: { id: `${'a'.repeat(40)}!` } } };
    const started = Date.now();
    const d = evaluate({
      policy: p,
      subject: M,
      evidence: evidenceMap({ [M]: [att('ci', statement('a', SLSA, pred))] }),
    });
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(d.reasons.map((r) => r.code)).toEqual([
      'CONDITION_FAILED',
      'CONDITION_ERROR',
      'CONDITION_NOT_BOOL',
      'CONDITION_COST_EXCEEDED',
      'CONDITION_FAILED',
    ]);
    expect(d.reasons[0]!.message).toContain('predicate.runDetails.builder.id == \\"other\\"');
  });

  it('is satisfied by any one passing attestation among several', () => {
    const bad = { ...goodProv(), runDetails: { builder: { id: 'evil' } } };
    const d = evaluate({
      policy: policy(),
      subject: M,
      evidence: evidenceMap({
        [M]: [
          att('release-key', statement('a', OMS)),
          att('ci', statement('a', SLSA, bad)),
          att('ci', statement('a', SLSA, goodProv())),
        ],
      }),
    });
    expect(d.allowed).toBe(true);
  });

  it('includes verification failures as reasons when a requirement is unmet', () => {
    const ev = new Map([
      [
        M,
        {
          subject: M,
          attestations: [],
          failures: [{ code: 'SIGNATURE_INVALID', message: 'bad sig', source: 'f.json' }],
        },
      ],
    ]);
    const d = evaluate({ policy: policy({ require: [{ predicateType: 'oms' }] }), subject: M, evidence: ev });
    expect(d.reasons.map((r) => r.code)).toEqual(['ATTESTATION_MISSING', 'SIGNATURE_INVALID']);
    expect(d.reasons[1]!.source).toBe('f.json');
    expect(d.reasons[1]!.message).toBe('bad sig');
  });

  describe('requireAttestedDependencies', () => {
    const D = dig('d');
    const B = dig('e');
    const S = dig('f');
    const deps = provenance([
      { c: 'd', uri: 'file:///data/train', role: 'dataset' },
      { c: 'e', uri: 'hf://acme/base@' + 'c'.repeat(40), role: 'base-model' },
      { c: 'f', uri: 'git+https://github.com/acme/train', role: 'source' },
    ]);
    const p = policy({ require: [{ predicateType: 'slsa' }], requireAttestedDependencies: { maxDepth: 2 } });

    it('passes when every dataset and base model carries its own attestation', () => {
      const d = evaluate({
        policy: p,
        subject: M,
        evidence: evidenceMap({
          [M]: [att('ci', statement('a', SLSA, deps))],
          [D]: [att('ci', statement('d', OMS))],
          [B]: [att('release-key', statement('e', OMS))],
        }),
      });
      expect(d.reasons).toEqual([]);
      expect(S).not.toBe(D);
    });

    it('names each unattested dependency and its digest', () => {
      const d = evaluate({
        policy: p,
        subject: M,
        evidence: evidenceMap({
          [M]: [att('ci', statement('a', SLSA, deps))],
          [B]: [att('ci', statement('b', OMS))],
        }),
      });
      expect(d.allowed).toBe(false);
      expect(d.reasons.map((r) => [r.code, r.subject])).toEqual([
        ['DEPENDENCY_NOT_ATTESTED', D],
        ['DEPENDENCY_NOT_ATTESTED', B],
      ]);
      expect(d.reasons[0]!.message).toContain('file:///data/train');
      expect(d.reasons[0]!.message).toContain(D);
    });

    it('follows dependencies recursively up to maxDepth and detects loops', () => {
      const X = dig('1');
      const chain = {
        [M]: [att('ci', statement('a', SLSA, provenance([{ c: 'd', uri: 'd1' }])))],
        [D]: [att('ci', statement('d', SLSA, provenance([{ c: '1', uri: 'd2' }])))],
        [X]: [att('ci', statement('1', SLSA, provenance([{ c: 'a', uri: 'back-to-model' }])))],
      };
      const deep = evaluate({
        policy: policy({
          require: [{ predicateType: 'slsa' }],
          requireAttestedDependencies: { maxDepth: 5 },
        }),
        subject: M,
        evidence: evidenceMap(chain),
      });
      expect(deep.reasons.map((r) => r.code)).toEqual(['DEPENDENCY_CYCLE']);
      expect(deep.reasons[0]!.message).toContain('back-to-model');

      const shallow = evaluate({
        policy: policy({
          require: [{ predicateType: 'slsa' }],
          requireAttestedDependencies: { maxDepth: 1 },
        }),
        subject: M,
        evidence: evidenceMap(chain),
      });
      expect(shallow.allowed).toBe(true);

      const missing = evaluate({
        policy: policy({
          require: [{ predicateType: 'slsa' }],
          requireAttestedDependencies: { maxDepth: 2 },
        }),
        subject: M,
        evidence: evidenceMap({ [M]: chain[M]!, [D]: chain[D]! }),
      });
      expect(missing.reasons.map((r) => [r.code, r.subject])).toEqual([['DEPENDENCY_NOT_ATTESTED', X]]);
    });
  });
});
