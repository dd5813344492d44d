import {
  type CelInput,
  CelScalar,
  type CelValue,
  celEnv,
  celFunc,
  celList,
  isCelError,
  isCelList,
  isCelMap,
  parse,
  plan,
} from '@bufbuild/cel';
import { type InputCode, InputError } from '@modelseal/core';
import { RE2JS } from 're2js';
import { APPEND_FUNCTION, ITERATE_FUNCTION, measureExpression, meterComprehensions } from './cel-bounds.ts';
import { Meter } from './cel-meter.ts';
import { meteredValue } from './cel-values.ts';
import type { Condition, ConditionResult, ConditionVars, EvaluationClock, SharedBudget } from './types.ts';

export const CEL_LIMITS = Object.freeze({
  maxExpressionLength: 2048,
  /** comprehension nesting (all/exists/map/filter inside one another) */
  maxComprehensionDepth: 3,
  /** nesting of any kind (calls, operators, literals, field selections) */
  maxNestingDepth: 64,
  /** elements of one list literal, entries of one map literal */
  maxLiteralSize: 128,
  /**
   * work units one evaluation may spend: one per value read from `predicate`/`signer`, and per
   * comprehension iteration one plus the expression nodes its body evaluates
   */
  maxCost: 100_000,
  /**
   * work units all conditions of one evaluate() call share (one model under one policy): a policy
   * of 1,024 conditions cannot multiply the per-condition budget
   */
  maxCostPerEvaluation: 500_000,
  /** wall-clock cap on one evaluation: the backstop to maxCost (CONDITION_COST_EXCEEDED too) */
  maxMillis: 1000,
});

/**
 * maxCost bounds iterations, not what one step does to a long string; the time cap catches that,
 * so every evaluation has a clock even when the caller passes none.
 */
const MONOTONIC: EvaluationClock = Object.freeze({ now: () => performance.now() });

/**
 * The evaluation in progress. cel-es calls custom functions synchronously inside program(), and
 * only run() sets this, so exactly one meter is live at a time.
 */
let active: Meter | undefined;

const meterOf = (): Meter => {
  if (active === undefined) throw new Error('CEL evaluation without a meter');
  return active;
};

/** Owners of the flat arrays behind lists that APPEND_FUNCTION built (see cel-bounds.ts). */
const appendable = new WeakMap<object, CelValue[]>();

// RE2 semantics (linear time) instead of JS backtracking: a hostile `matches()` pattern cannot hang us.
const env = celEnv({
  re2: {
    compile(pattern: string) {
      const re = RE2JS.compile(pattern);
      return { test: (text: string) => re.test(text) };
    },
  },
  funcs: [
    celFunc(ITERATE_FUNCTION, [CelScalar.DYN, CelScalar.INT], CelScalar.DYN, (range, weight) => {
      const meter = meterOf();
      const w = Number(weight);
      meter.charge(1, true);
      if (isCelMap(range)) {
        meter.charge(range.size * w);
        return range;
      }
      if (!isCelList(range)) return range; // the fold reports the type mismatch
      const items: CelValue[] = [];
      for (const item of range) {
        meter.charge(w);
        items.push(item);
      }
      return celList(items);
    }),
    celFunc(APPEND_FUNCTION, [CelScalar.DYN, CelScalar.DYN], CelScalar.DYN, (accu, item) => {
      const meter = meterOf();
      if (!isCelList(accu)) throw new Error(`${APPEND_FUNCTION} needs a list`);
      let items = appendable.get(accu);
      if (items === undefined) {
        meter.charge(accu.size + 1);
        items = [...accu];
      } else meter.charge(1);
      items.push(item);
      const out = celList(items);
      appendable.set(out, items);
      return out;
    }),
  ],
});

/** Compiles at policy-parse time so a typo is a coded InputError naming the expression. */
export function compileCondition(expression: unknown, where: string): Condition {
  if (typeof expression !== 'string' || expression.trim() === '') {
    throw new InputError({
      code: 'POLICY_BAD_CONDITION',
      message: `${where} must be a non-empty CEL string`,
    });
  }
  if (expression.length > CEL_LIMITS.maxExpressionLength) {
    throw new InputError({
      code: 'POLICY_CONDITION_TOO_LONG',
      message: `${where} is ${expression.length} characters, over the ${CEL_LIMITS.maxExpressionLength} limit`,
    });
  }
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(expression);
  } catch (e) {
    throw new InputError({
      code: 'POLICY_CEL_SYNTAX',
      message: `${where} is not valid CEL: ${(e as Error).message.split('\n')[0]} in ${JSON.stringify(expression)}`,
      cause: e,
    });
  }
  const shape = measureExpression(parsed.expr);
  const over = (code: InputCode, what: string) =>
    new InputError({ code, message: `${where} ${what} in ${JSON.stringify(expression.slice(0, 200))}` });
  if (shape.comprehensionDepth > CEL_LIMITS.maxComprehensionDepth) {
    throw over(
      'POLICY_CONDITION_TOO_COMPLEX',
      `nests ${shape.comprehensionDepth} comprehensions (all/exists/map/filter); at most ${CEL_LIMITS.maxComprehensionDepth} are allowed`,
    );
  }
  if (shape.depth > CEL_LIMITS.maxNestingDepth) {
    throw over(
      'POLICY_CONDITION_TOO_COMPLEX',
      `nests ${shape.depth} levels deep; at most ${CEL_LIMITS.maxNestingDepth} are allowed`,
    );
  }
  if (shape.largestLiteral > CEL_LIMITS.maxLiteralSize) {
    throw over(
      'POLICY_CONDITION_TOO_COMPLEX',
      `has a list or map literal of ${shape.largestLiteral} elements; at most ${CEL_LIMITS.maxLiteralSize} are allowed`,
    );
  }
  meterComprehensions(parsed.expr);
  let program: ReturnType<typeof plan>;
  try {
    program = plan(env, parsed);
  } catch (e) {
    throw new InputError({
      code: 'POLICY_CEL_SYNTAX',
      message: `${where} cannot be planned: ${(e as Error).message} in ${JSON.stringify(expression)}`,
      cause: e,
    });
  }
  return Object.freeze({
    expression,
    evaluate: (vars: ConditionVars, clock?: EvaluationClock, shared?: SharedBudget) =>
      run(program, vars, clock, shared),
  });
}

function run(
  program: (ctx?: Record<string, CelInput>) => unknown,
  vars: ConditionVars,
  clock: EvaluationClock | undefined,
  shared: SharedBudget | undefined,
): ConditionResult {
  const budget = Math.min(CEL_LIMITS.maxCost, Math.max(0, shared?.left ?? CEL_LIMITS.maxCost));
  const meter = new Meter(budget, CEL_LIMITS.maxMillis, clock ?? MONOTONIC);
  const outer = active;
  active = meter;
  let result: unknown;
  try {
    result = program({
      predicate: meteredValue(vars.predicate, meter),
      subject: vars.subject,
      predicateType: vars.predicateType,
      signer: meteredValue(vars.signer, meter),
    });
  } catch (e) {
    result = e instanceof Error ? e : new Error(String(e));
  } finally {
    active = outer;
    if (shared) shared.left -= budget - Math.max(0, meter.left);
  }
  // checked first: `||` and `&&` may have absorbed the failed charge into a plain true or false
  switch (meter.tripped) {
    case 'cost':
    case 'time':
      return { kind: 'cost-exceeded' };
    case 'deadline':
      return { kind: 'deadline-exceeded' };
    case undefined:
      break;
    default:
      return meter.tripped satisfies never;
  }
  if (result instanceof Error) return { kind: 'error', message: result.message };
  if (isCelError(result)) return { kind: 'error', message: result.message };
  if (result === true) return { kind: 'true' };
  if (result === false) return { kind: 'false' };
  return { kind: 'not-bool', type: result === null ? 'null' : typeof result };
}
