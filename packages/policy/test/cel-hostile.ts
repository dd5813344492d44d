/**
 * Conditions that pass every parse-time limit yet try to run long, and a predicate large enough
 * to feed them (a bundle under the 1 MiB store limit). Shared by the unit test and `pnpm bench cel`.
 */
import { CEL_LIMITS } from '../src/cel.ts';

const lit = (n: number) => `[${Array.from({ length: n }, (_, i) => i).join(',')}]`;
const L = lit(CEL_LIMITS.maxLiteralSize);

export const HOSTILE_PREDICATE = {
  ints: Array.from({ length: 100_000 }, (_, i) => i),
  s: 'a'.repeat(500_000),
  objs: Array.from({ length: 20_000 }, (_, i) => ({ i, name: `n${i}` })),
};

export const HOSTILE_CONDITIONS: Readonly<Record<string, string>> = {
  'three nested all() over the largest literals': `${L}.all(x, ${L}.all(y, ${L}.all(z, x + y + z >= 0)))`,
  'three nested all() over a 100k predicate list': `predicate.ints.all(x, predicate.ints.all(y, predicate.ints.all(z, x + y + z >= 0)))`,
  'map() of map() over 100k elements': `predicate.ints.map(x, x).map(y, y).all(z, z >= 0)`,
  'filter() over 20k objects': `predicate.objs.filter(o, o.i % 2 == 0).size() > 0`,
  'membership test inside a loop': `predicate.ints.all(x, x in predicate.ints)`,
  'regexp over 500k characters in a loop': `predicate.ints.all(x, predicate.s.matches("a+b"))`,
  'string concatenation in nested loops': `${L}.all(x, ${L}.all(y, (predicate.s + predicate.s).size() > 0))`,
  'list equality in a loop': `${L}.all(x, predicate.ints == predicate.ints)`,
};
