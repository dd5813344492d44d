import { describe, expect, it } from 'vitest';
import { type GlobWork, globMatch } from '../src/glob.ts';

/** Reference semantics by dynamic programming (quadratic, fine for short strings). */
function reference(p: string, v: string): boolean {
  let row = new Array<boolean>(v.length + 1).fill(false);
  row[0] = true;
  for (const c of p) {
    const next = new Array<boolean>(v.length + 1).fill(false);
    if (c === '*') {
      next[0] = row[0]!;
      for (let j = 1; j <= v.length; j++) next[j] = row[j]! || next[j - 1]!;
    } else {
      for (let j = 1; j <= v.length; j++) next[j] = row[j - 1]! && v[j - 1] === c;
    }
    row = next;
  }
  return row[v.length]!;
}

/** The bound the module promises: linear in pattern plus value. */
const bound = (p: string, v: string) => 4 * (p.length + v.length) + 8;

describe('globMatch', () => {
  it.each([
    ['*', '', true],
    ['*', 'anything', true],
    ['ml-*', 'ml-serving', true],
    ['ml-*', 'ml-', true],
    ['ml-*', 'xml-serving', false],
    ['*-model', 'base-model', true],
    ['*-model', 'base-models', false],
    ['tok*', 'tokenizer', true],
    ['a*b*c', 'abc', true],
    ['a*b*c', 'aXbYc', true],
    ['a*b*c', 'acb', false],
    ['ab*ba', 'aba', false],
    ['exact', 'exact', true],
    ['exact', 'exactly', false],
    ['a.b', 'axb', false],
    ['**', 'x', true],
  ])('%s vs %s -> %s', (p, v, want) => {
    expect(globMatch(p, v)).toBe(want);
    expect(reference(p, v)).toBe(want);
  });

  it('agrees with the reference on every short pattern and value over {a, b, *}', () => {
    const words = (alphabet: string, max: number): string[] => {
      const out = [''];
      for (let len = 1; len <= max; len++)
        for (let i = 0; i < alphabet.length ** len; i++) {
          let w = '';
          for (let n = i, k = 0; k < len; k++, n = Math.floor(n / alphabet.length))
            w += alphabet[n % alphabet.length];
          out.push(w);
        }
      return out;
    };
    let compared = 0;
    for (const p of words('ab*', 5))
      for (const v of words('ab', 6)) {
        const work: GlobWork = { steps: 0 };
        expect(globMatch(p, v, work), `${p} vs ${v}`).toBe(reference(p, v));
        expect(work.steps).toBeLessThanOrEqual(bound(p, v));
        compared++;
      }
    expect(compared).toBeGreaterThan(20_000);
  });

  it('the hostile pattern that backtracks as a regexp does linear work', () => {
    const hostile = `${'*a'.repeat(8)}*b`;
    for (const v of ['a'.repeat(40), 'a'.repeat(253), `${'a'.repeat(252)}b`]) {
      const work: GlobWork = { steps: 0 };
      expect(globMatch(hostile, v, work)).toBe(v.endsWith('b'));
      expect(work.steps).toBeLessThanOrEqual(bound(hostile, v));
    }
    const longest = `${'*a'.repeat(126)}*`;
    const work: GlobWork = { steps: 0 };
    expect(globMatch(longest, 'a'.repeat(125), work)).toBe(false);
    expect(work.steps).toBeLessThanOrEqual(bound(longest, 'a'.repeat(125)));
    // a periodic segment is where a naive search re-scans: KMP keeps it linear
    const periodic = `*${'ab'.repeat(60)}c*`;
    const value = 'ab'.repeat(126);
    const w2: GlobWork = { steps: 0 };
    expect(globMatch(periodic, value, w2)).toBe(false);
    expect(w2.steps).toBeLessThanOrEqual(bound(periodic, value));
  });
});
