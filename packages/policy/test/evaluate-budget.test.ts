import { isModelsealError } from '@modelseal/core';
import { describe, expect, it } from 'vitest';
import { evaluate, parsePolicy } from '../src/index.ts';
import { HOSTILE_CONDITIONS, HOSTILE_PREDICATE } from './cel-hostile.ts';
import { att, dig, evidenceMap, PARSE, publicKeyPem, SLSA, statement } from './fixtures.ts';

const M = dig('a');
const hostile = HOSTILE_CONDITIONS['three nested all() over the largest literals']!;

/** 32 requirements of 32 conditions each: the most a policy may hold, all of them expensive. */
function widest() {
  return parsePolicy(
    {
      apiVersion: 'modelseal.dev/v1alpha1',
      kind: 'ClusterModelPolicy',
      metadata: { name: 'wide' },
      spec: {
        authorities: [{ name: 'ci', key: { publicKey: publicKeyPem() } }],
        require: Array.from({ length: 32 }, () => ({
          predicateType: 'slsa',
          conditions: Array.from({ length: 32 }, (_, i) => `${hostile} || ${i} < 0`),
        })),
      },
    },
    'test',
    PARSE,
  );
}

describe('evaluate() bounds the work of all conditions together', () => {
  const policy = widest();
  const evidence = evidenceMap({ [M]: [att('ci', statement('a', SLSA, HOSTILE_PREDICATE))] });

  it('1,024 over-budget conditions share one budget, so the decision comes in milliseconds', () => {
    const t0 = performance.now();
    const d = evaluate({ policy, subject: M, evidence, clock: { now: () => 0 } });
    const ms = performance.now() - t0;
    expect(d.allowed).toBe(false);
    expect(new Set(d.reasons.map((r) => r.code))).toEqual(new Set(['CONDITION_COST_EXCEEDED']));
    // the shared budget is 5 conditions' worth (~50 ms); 1,024 full budgets take 10-30 s here
    expect(ms).toBeLessThan(2000);
  });

  it('past the caller deadline, evaluate() throws DEADLINE_EXCEEDED instead of deciding', () => {
    let t = 0;
    const clock = { now: () => (t += 1), deadline: 50 };
    let code = 'none';
    try {
      evaluate({ policy, subject: M, evidence, clock });
    } catch (e) {
      code = isModelsealError(e) ? e.code : 'other';
    }
    expect(code).toBe('DEADLINE_EXCEEDED');
  });
});
