import { type CelInput, celEnv, isCelError, parse, plan } from '@bufbuild/cel';
import { InputError } from '@modelseal/core';
import { RE2JS } from 're2js';
import type { Condition, ConditionResult, ConditionVars } from './types.ts';

export const CEL_LIMITS = Object.freeze({
  maxExpressionLength: 2048,
  /** comprehension nesting (all/exists/map/filter inside one another) */
  maxComprehensionDepth: 3,
  /** value reads (list elements, map entries) one evaluation may make */
  maxCost: 1_000_000,
});

class CostExceeded extends Error {}

// RE2 semantics (linear time) instead of JS backtracking: a hostile `matches()` pattern cannot hang us.
const env = celEnv({
  re2: {
    compile(pattern: string) {
      const re = RE2JS.compile(pattern);
      return { test: (text: string) => re.test(text) };
    },
  },
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
  const depth = comprehensionDepth(parsed.expr);
  if (depth > CEL_LIMITS.maxComprehensionDepth) {
    throw new InputError({
      code: 'POLICY_CONDITION_TOO_COMPLEX',
      message: `${where} nests ${depth} comprehensions (all/exists/map/filter); at most ${CEL_LIMITS.maxComprehensionDepth} are allowed`,
    });
  }
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
  return Object.freeze({ expression, evaluate: (vars: ConditionVars) => run(program, vars) });
}

function run(program: (ctx?: Record<string, CelInput>) => unknown, vars: ConditionVars): ConditionResult {
  const meter = { left: CEL_LIMITS.maxCost };
  try {
    const result = program({
      predicate: toCel(vars.predicate, meter),
      subject: vars.subject,
      predicateType: vars.predicateType,
      signer: toCel(vars.signer, meter),
    });
    if (isCelError(result)) {
      return hasCostExceeded(result) ? { kind: 'cost-exceeded' } : { kind: 'error', message: result.message };
    }
    if (result === true) return { kind: 'true' };
    if (result === false) return { kind: 'false' };
    return { kind: 'not-bool', type: result === null ? 'null' : typeof result };
  } catch (e) {
    if (hasCostExceeded(e)) return { kind: 'cost-exceeded' };
    return { kind: 'error', message: e instanceof Error ? e.message : String(e) };
  }
}

function hasCostExceeded(e: unknown): boolean {
  for (let cur = e, i = 0; cur && i < 8; cur = (cur as { cause?: unknown }).cause, i++) {
    if (cur instanceof CostExceeded) return true;
  }
  return false;
}

/**
 * JSON -> CEL values whose every read is charged to a meter: comprehensions over big predicates
 * stop at the budget instead of running for minutes (cel-es has no cost limit of its own).
 */
function toCel(value: unknown, meter: { left: number }): CelInput {
  const charge = () => {
    if (--meter.left < 0) throw new CostExceeded('CEL cost budget exceeded');
  };
  const convert = (v: unknown): CelInput => {
    if (Array.isArray(v)) {
      return new Proxy(v.map(convert), {
        get(target, prop, receiver) {
          if (typeof prop === 'string') charge();
          return Reflect.get(target, prop, receiver);
        },
      }) as CelInput;
    }
    if (v !== null && typeof v === 'object') {
      return new MeteredMap(
        Object.entries(v).map(([k, x]) => [k, convert(x)]),
        charge,
      ) as unknown as CelInput;
    }
    if (typeof v === 'number' && Number.isInteger(v) && Number.isSafeInteger(v)) return BigInt(v);
    return v as CelInput;
  };
  charge();
  return convert(value);
}

class MeteredMap extends Map<string, CelInput> {
  readonly #charge: () => void;
  constructor(entries: [string, CelInput][], charge: () => void) {
    super(entries);
    this.#charge = charge;
  }
  override get(key: string) {
    this.#charge();
    return super.get(key);
  }
  override keys(): MapIterator<string> {
    return this.#metered(super.keys());
  }
  override entries(): MapIterator<[string, CelInput]> {
    return this.#metered(super.entries());
  }
  override [Symbol.iterator](): MapIterator<[string, CelInput]> {
    return this.entries();
  }
  #metered<T>(it: Iterator<T>): MapIterator<T> {
    const charge = this.#charge;
    function* gen(): Generator<T, undefined> {
      for (let r = it.next(); !r.done; r = it.next()) {
        charge();
        yield r.value;
      }
      return undefined;
    }
    return gen() as MapIterator<T>;
  }
}

interface ExprNode {
  exprKind: { case?: string; value?: unknown };
}

function comprehensionDepth(root: ExprNode): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[root, 0]];
  let guard = 0;
  while (stack.length > 0 && guard++ < 100_000) {
    const [node, d] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    let depth = d;
    const kind = (node as Partial<ExprNode>).exprKind;
    if (kind?.case === 'comprehensionExpr') depth = d + 1;
    if (depth > max) max = depth;
    for (const child of Object.values(node))
      if (child && typeof child === 'object') stack.push([child, depth]);
  }
  return max;
}
