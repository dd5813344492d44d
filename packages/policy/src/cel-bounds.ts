/**
 * Static bounds on a parsed CEL expression, and the rewrite that makes every comprehension pay
 * for its iterations. cel-es has no cost model of its own: three nested `all()` over 300-element
 * list literals fit in 2 KiB and run 27 million iterations (~30 s). Reads of `predicate` were
 * already metered; literal lists and lists built by `map()`/`filter()` were not.
 */
import { parse } from '@bufbuild/cel';

type Expr = ReturnType<typeof parse>['expr'];

/** Not CEL identifiers, so no policy can call or shadow them. */
export const ITERATE_FUNCTION = '@modelseal.iterate';
export const APPEND_FUNCTION = '@modelseal.append';
/** the accumulator variable cel-es macros use: not an identifier either, so policies cannot reach it */
const ACCUMULATOR = '@result';

export interface ExpressionShape {
  readonly nodes: number;
  /** deepest nesting of any node (calls, literals, selections...) */
  readonly depth: number;
  /** deepest nesting of comprehensions (all/exists/exists_one/map/filter) */
  readonly comprehensionDepth: number;
  /** most elements or entries in one list or map literal */
  readonly largestLiteral: number;
}

function children(e: Expr): Expr[] {
  const k = e.exprKind;
  switch (k.case) {
    case 'selectExpr':
      return k.value.operand ? [k.value.operand] : [];
    case 'callExpr':
      return [...(k.value.target ? [k.value.target] : []), ...k.value.args];
    case 'listExpr':
      return k.value.elements;
    case 'structExpr':
      return k.value.entries.flatMap((en) => [
        ...(en.keyKind.case === 'mapKey' ? [en.keyKind.value] : []),
        ...(en.value ? [en.value] : []),
      ]);
    case 'comprehensionExpr': {
      const c = k.value;
      return [c.iterRange, c.accuInit, c.loopCondition, c.loopStep, c.result].filter(
        (x): x is Expr => x !== undefined,
      );
    }
    default:
      return [];
  }
}

/** Iterative, so a deeply nested expression is measured before anything recurses over it. */
export function measureExpression(root: Expr): ExpressionShape {
  let nodes = 0;
  let depth = 0;
  let comprehensionDepth = 0;
  let largestLiteral = 0;
  const stack: Array<[Expr, number, number]> = [[root, 1, 0]];
  while (stack.length > 0) {
    const [e, d, c] = stack.pop()!;
    nodes++;
    const k = e.exprKind;
    const comp = k.case === 'comprehensionExpr' ? c + 1 : c;
    if (k.case === 'listExpr') largestLiteral = Math.max(largestLiteral, k.value.elements.length);
    if (k.case === 'structExpr') largestLiteral = Math.max(largestLiteral, k.value.entries.length);
    depth = Math.max(depth, d);
    comprehensionDepth = Math.max(comprehensionDepth, comp);
    for (const child of children(e)) stack.push([child, d + 1, comp]);
  }
  return { nodes, depth, comprehensionDepth, largestLiteral };
}

/**
 * Wraps every comprehension's range as `ITERATE_FUNCTION(range, weight)`. The function charges
 * `size(range) * weight` before the loop starts, where weight is 1 plus the nodes evaluated once
 * per iteration: the loop condition and step, counting a nested comprehension by its range, init
 * and result only (its own iterations are charged when it starts). Call after measureExpression
 * has bounded the depth: this recurses.
 */
export function meterComprehensions(root: Expr): void {
  const template = parse(`modelseal_iterate(range, 0)`).expr;
  const wrap = (range: Expr, weight: number): Expr => {
    const call = structuredClone(template);
    if (call.exprKind.case !== 'callExpr') throw new Error('CEL iterate template is not a call');
    const weightArg = call.exprKind.value.args[1];
    if (weightArg?.exprKind.case !== 'constExpr') throw new Error('CEL iterate template has no weight');
    call.exprKind.value.function = ITERATE_FUNCTION;
    call.exprKind.value.args[0] = range;
    weightArg.exprKind.value.constantKind = { case: 'int64Value', value: BigInt(weight) };
    return call;
  };
  // returns the nodes one evaluation of `e` costs outside nested loops
  const visit = (e: Expr): number => {
    const k = e.exprKind;
    if (k.case !== 'comprehensionExpr') {
      let cost = 1;
      for (const child of children(e)) cost += visit(child);
      return cost;
    }
    const c = k.value;
    if (c.accuVar === ACCUMULATOR && isEmptyList(c.accuInit) && c.loopStep) appendInPlace(c.loopStep);
    const once = (x: Expr | undefined) => (x === undefined ? 0 : visit(x));
    const perIteration = 1 + once(c.loopCondition) + once(c.loopStep);
    const outside = 2 + once(c.iterRange) + once(c.accuInit) + once(c.result);
    if (c.iterRange !== undefined) c.iterRange = wrap(c.iterRange, perIteration);
    return outside;
  };
  visit(root);
}

function isEmptyList(e: Expr | undefined): boolean {
  return e?.exprKind.case === 'listExpr' && e.exprKind.value.elements.length === 0;
}

/**
 * map() and filter() accumulate with `@result + [x]`, which cel-es turns into a chain of nested
 * concatenations as deep as the list is long: iterating the result then costs O(n²) and recurses n
 * deep. Rewritten to APPEND_FUNCTION(@result, x), which appends to one flat array (the accumulator
 * is private to the comprehension, so the old value is never read again). Nested comprehensions
 * have their own accumulator and are rewritten when they are visited.
 */
function appendInPlace(step: Expr): void {
  const stack: Expr[] = [step];
  while (stack.length > 0) {
    const e = stack.pop()!;
    const k = e.exprKind;
    if (k.case === 'comprehensionExpr') continue;
    if (k.case === 'callExpr' && k.value.function === '_+_' && k.value.target === undefined) {
      const [accu, list] = k.value.args;
      if (
        accu?.exprKind.case === 'identExpr' &&
        accu.exprKind.value.name === ACCUMULATOR &&
        list?.exprKind.case === 'listExpr' &&
        list.exprKind.value.elements.length === 1
      ) {
        k.value.function = APPEND_FUNCTION;
        k.value.args = [accu, list.exprKind.value.elements[0]!];
        continue;
      }
    }
    stack.push(...children(e));
  }
}
