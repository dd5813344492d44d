import { isModelsealError } from '@modelseal/core';
import { describe, expect, it } from 'vitest';
import { CEL_LIMITS, compileCondition } from '../src/cel.ts';
import type { ConditionVars } from '../src/types.ts';
import { HOSTILE_CONDITIONS, HOSTILE_PREDICATE } from './cel-hostile.ts';

const vars = (predicate: unknown): ConditionVars => ({
  predicate,
  subject: `sha256:${'0'.repeat(64)}`,
  predicateType: 'https://slsa.dev/provenance/v1',
  signer: { kind: 'key', keyId: 'k' },
});
/** A clock that never moves: only the deterministic cost budget can stop an evaluation. */
const frozen = { now: () => 0 };

const compileCode = (expr: string) => {
  try {
    compileCondition(expr, 'c');
  } catch (e) {
    if (isModelsealError(e)) return e.code;
    throw e;
  }
  return 'none';
};

describe('CEL bounds', () => {
  it('refuses the issue-18 condition (three nested all() over 300-element literals) at parse time', () => {
    const l = `[${Array.from({ length: 300 }, () => 1).join(',')}]`;
    const expr = `${l}.all(x, ${l}.all(y, ${l}.all(z, x + y + z >= 0)))`;
    expect(expr.length).toBeLessThanOrEqual(CEL_LIMITS.maxExpressionLength);
    expect(compileCode(expr)).toBe('POLICY_CONDITION_TOO_COMPLEX');
  });

  it('refuses literals, nesting and comprehension depth over the limits', () => {
    const l = (n: number) => `[${Array.from({ length: n }, () => 1).join(',')}]`;
    expect(compileCode(`size(${l(CEL_LIMITS.maxLiteralSize)}) > 0`)).toBe('none');
    expect(compileCode(`size(${l(CEL_LIMITS.maxLiteralSize + 1)}) > 0`)).toBe('POLICY_CONDITION_TOO_COMPLEX');
    const deep = `${'('.repeat(CEL_LIMITS.maxNestingDepth)}[1]${')'.repeat(CEL_LIMITS.maxNestingDepth)}`;
    expect(compileCode(`size(${deep.replace('[1]', `[${'['.repeat(70)}${']'.repeat(70)}]`)}) > 0`)).toBe(
      'POLICY_CONDITION_TOO_COMPLEX',
    );
    expect(compileCode('[1].all(a, [1].all(b, [1].all(c, [1].all(d, true))))')).toBe(
      'POLICY_CONDITION_TOO_COMPLEX',
    );
  });

  it.each(Object.entries(HOSTILE_CONDITIONS))('%s: stopped by the cost budget alone', (_name, expr) => {
    const c = compileCondition(expr, 'c');
    expect(c.evaluate(vars(HOSTILE_PREDICATE), frozen)).toEqual({ kind: 'cost-exceeded' });
  });

  it('the hostile conditions each finish in milliseconds with the real clock', () => {
    const slowest = Object.values(HOSTILE_CONDITIONS).map((expr) => {
      const c = compileCondition(expr, 'c');
      const t0 = performance.now();
      expect(c.evaluate(vars(HOSTILE_PREDICATE)).kind).toBe('cost-exceeded');
      return performance.now() - t0;
    });
    // typically 3-25 ms each (`pnpm bench cel`); the bound leaves room for a loaded CI machine
    expect(Math.max(...slowest)).toBeLessThan(1000);
  });

  it('an absorbed budget failure still counts: `true || <over budget>` is not true', () => {
    const c = compileCondition('predicate.ints.all(x, x >= 0) || true', 'c');
    expect(c.evaluate(vars(HOSTILE_PREDICATE), frozen)).toEqual({ kind: 'cost-exceeded' });
  });

  it('a passed deadline is its own result, distinct from the cost budget', () => {
    const c = compileCondition('predicate.ints.all(x, x >= 0)', 'c');
    let t = 0;
    const clock = { now: () => (t += 1), deadline: 5 };
    expect(c.evaluate(vars(HOSTILE_PREDICATE), clock)).toEqual({ kind: 'deadline-exceeded' });
  });

  it('ordinary conditions over modest predicates still evaluate, map() and filter() included', () => {
    const pred = {
      deps: Array.from({ length: 1000 }, (_, i) => ({
        uri: `https://example.com/d${i}`,
        annotations: { 'modelseal.dev/role': i === 999 ? 'dataset' : 'code' },
      })),
      splits: [{ records: 10 }, { records: 5 }],
    };
    const cases: Array<[string, string]> = [
      ['predicate.deps.exists(d, d.annotations["modelseal.dev/role"] == "dataset")', 'true'],
      ['predicate.deps.all(d, d.uri.startsWith("https://example.com/"))', 'true'],
      ['predicate.deps.map(d, d.uri).filter(u, u.endsWith("7")).size() == 100', 'true'],
      ['predicate.deps.filter(d, d.annotations["modelseal.dev/role"] == "code").size() == 999', 'true'],
      ['predicate.splits.map(s, s.records) == [10, 5]', 'true'],
      ['has(predicate.splits) && predicate.splits.all(s, s.records > 5)', 'false'],
      ['{"a": 1, "b": 2}.all(k, k in ["a", "b"])', 'true'],
    ];
    for (const [expr, want] of cases)
      expect(compileCondition(expr, 'c').evaluate(vars(pred), frozen).kind, expr).toBe(want);
  });
});
