import type { FindingCode } from '../findings.ts';
import { CHECKPOINT_OPS, PATH_PLUMBING } from './savedmodel-ops.ts';
import type { MetaGraph, TfFunction, TfNode } from './savedmodel-proto.ts';

/**
 * Where the checkpoint ops of a SavedModel take their paths from (see checkCheckpointPaths). Split
 * from savedmodel.ts, which checks the ops themselves.
 */
const CALL_OPS = new Set(['PartitionedCall', 'StatefulPartitionedCall']);
const SAVER_SOURCES = new Set(['Placeholder', 'PlaceholderWithDefault', 'Const']);
const MAX_TRACE = 256;
/** trace steps per meta graph: a flood of checkpoint ops over long chains fails rather than stalls */
const TRACE_BUDGET = 4_000_000;

export interface Scope {
  /** null: the main graph */
  readonly fn: TfFunction | null;
  readonly byName: ReadonlyMap<string, TfNode>;
  readonly args: ReadonlyMap<string, number>;
  readonly nodes: readonly TfNode[];
}

export const where = (s: Scope, n: TfNode) =>
  s.fn === null ? `node ${q(n.name)} of the main graph` : `node ${q(n.name)} in function ${q(s.fn.name)}`;
export const q = (s: string) => JSON.stringify(s.length > 200 ? `${s.slice(0, 200)}…` : s);
const dataInputs = (n: TfNode) => n.inputs.filter((i) => !i.startsWith('^'));

export function scopeOf(fn: TfFunction | null, nodes: readonly TfNode[]): Scope {
  const byName = new Map<string, TfNode>();
  for (const n of nodes) byName.set(n.name, n);
  const args = new Map((fn?.args ?? []).map((a, i) => [a, i] as const));
  return { fn, byName, args, nodes };
}

type Trace =
  | { readonly ok: true; readonly args: ReadonlySet<number> }
  | { readonly ok: false; readonly why: string };

/**
 * Where a path input comes from. In a function it must come from the function's own arguments,
 * through Identity/StringJoin/ShardedFilename/Pack as TensorFlow's saver builds it; in the main
 * graph from the saver's filename tensor, which the loader feeds with the variables/ path.
 */
function trace(s: Scope, input: string, saverNode: string, budget: { steps: number }): Trace {
  const args = new Set<number>();
  const todo = [input];
  const seen = new Set<string>();
  const saverChain = new Set([saverNode]);
  let steps = 0;
  while (todo.length > 0) {
    const inp = todo.pop()!;
    const name = inp.split(':')[0]!;
    if (seen.has(name)) continue;
    seen.add(name);
    if (++steps > MAX_TRACE) return { ok: false, why: `a chain of more than ${MAX_TRACE} nodes` };
    if (--budget.steps < 0)
      return { ok: false, why: `a dataflow too large to follow (over ${TRACE_BUDGET} steps)` };
    const arg = s.fn !== null && !inp.includes(':') ? s.args.get(name) : undefined;
    if (arg !== undefined) {
      args.add(arg);
      continue;
    }
    const n = s.byName.get(name);
    if (n === undefined) return { ok: false, why: `${q(inp)}, which names no node` };
    const v = n.strings.get('value');
    if (s.fn === null && saverChain.has(name) && SAVER_SOURCES.has(n.op)) {
      // what the loader feeds; TF1 savers chain PlaceholderWithDefault down to a default name
      if (n.op === 'Placeholder') continue;
      if (n.op === 'Const' && v?.length === 1 && safeDefaultPrefix(v[0]!)) continue;
      const dflt = dataInputs(n)[0];
      if (n.op === 'PlaceholderWithDefault' && dflt !== undefined) {
        saverChain.add(dflt.split(':')[0]!);
        todo.push(dflt);
        continue;
      }
    }
    const plumb = PATH_PLUMBING[n.op];
    const ins = dataInputs(n);
    if (plumb === undefined) {
      return {
        ok: false,
        why:
          n.op === 'Const' && v !== undefined
            ? `the constant ${v.map(q).join(', ')}`
            : `${n.op} node ${q(name)}`,
      };
    }
    if (n.op === 'StringJoin') {
      // the saver appends "_temp/part" or ".part"; anything else could climb out ("/../../etc/x")
      const bad = joinSuffixProblem(s, n);
      if (bad !== null) return { ok: false, why: `StringJoin node ${q(name)}, which appends ${bad}` };
    }
    for (const i of plumb === 'all' ? ins.keys() : plumb) {
      const next = ins[i];
      if (next === undefined) return { ok: false, why: `${n.op} node ${q(name)}, which lacks input ${i}` };
      todo.push(next);
    }
  }
  return { ok: true, args };
}

/** the checkpoint suffixes TensorFlow's savers append: "_temp/part", ".part", "_temp_<uuid>/part" */
const SUFFIX = /^[A-Za-z0-9_.-]{1,128}(\/[A-Za-z0-9_.-]{1,128})?$/;
const SUFFIX_OPS: Readonly<Record<string, readonly number[]>> = {
  Identity: [0],
  Select: [1, 2],
  SelectV2: [1, 2],
};

/** What is wrong with what a StringJoin appends to a path, or null: constants of saver suffixes only. */
function joinSuffixProblem(s: Scope, join: TfNode): string | null {
  const sep = join.strings.get('separator')?.[0] ?? '';
  if (sep !== '') return `with the separator ${q(sep)}`;
  const todo = dataInputs(join).slice(1);
  for (let steps = 0; todo.length > 0; steps++) {
    if (steps > 64) return 'a suffix built by more than 64 nodes';
    const inp = todo.pop()!;
    const n = s.fn !== null && !inp.includes(':') ? undefined : s.byName.get(inp.split(':')[0]!);
    if (n === undefined) return `${q(inp)}, which is not a constant`;
    const via = SUFFIX_OPS[n.op];
    if (via) {
      const ins = dataInputs(n);
      // Select's condition (input 0) picks between constants; it does not reach the path
      for (const i of via) todo.push(ins[i] ?? '');
      continue;
    }
    const v = n.strings.get('value');
    if (n.op !== 'Const' || v === undefined) return `the output of ${n.op} node ${q(n.name)}`;
    for (const x of v) if (!SUFFIX.test(x) || x.split('/').includes('..')) return `the constant ${q(x)}`;
  }
  return null;
}

/** TF1's saver keeps a default name ("model") in its filename Const; the loader always feeds it */
const safeDefaultPrefix = (v: string) => /^[A-Za-z0-9_.-]{1,128}$/.test(v) && v !== '..' && v !== '.';

export function checkCheckpointPaths(
  mg: MetaGraph,
  fns: ReadonlyMap<string, TfFunction>,
  scopes: readonly Scope[],
  note: (code: FindingCode, message: string) => void,
): void {
  const saverNode = mg.saverFilename.split(':')[0] ?? '';
  /** function -> argument indices that end up as checkpoint paths */
  const pathArgs = new Map<string, Set<number>>();
  const budget = { steps: TRACE_BUDGET };
  const callee = (n: TfNode): string | undefined =>
    fns.has(n.op) ? n.op : CALL_OPS.has(n.op) ? n.funcs.get('f')?.[0] : undefined;
  const sinks = (n: TfNode): { idx: readonly number[]; what: string } | null => {
    const direct = CHECKPOINT_OPS[n.op];
    if (direct) return { idx: direct, what: n.op };
    const c = callee(n);
    const p = c !== undefined ? pathArgs.get(c) : undefined;
    return p && p.size > 0
      ? { idx: [...p], what: `a call of function ${q(c!)}, which uses it as a checkpoint path,` }
      : null;
  };
  // a worklist over call sites: when a function gains a path argument, only its callers are traced again
  const callers = new Map<string, { s: Scope; n: TfNode }[]>();
  const todo: { s: Scope; n: TfNode }[] = [];
  for (const s of scopes) {
    if (s.fn === null) continue;
    for (const n of s.nodes) {
      const c = callee(n);
      if (c !== undefined) {
        const list = callers.get(c) ?? [];
        list.push({ s, n });
        callers.set(c, list);
      }
      if (n.op in CHECKPOINT_OPS) todo.push({ s, n });
    }
  }
  while (todo.length > 0) {
    const { s, n } = todo.pop()!;
    const fn = s.fn!.name;
    const set: Set<number> = pathArgs.get(fn) ?? new Set<number>();
    const before = set.size;
    for (const i of sinks(n)?.idx ?? []) {
      const t = trace(s, dataInputs(n)[i] ?? '', saverNode, budget);
      if (t.ok) for (const a of t.args) set.add(a);
    }
    pathArgs.set(fn, set);
    if (set.size > before) todo.push(...(callers.get(fn) ?? []));
  }
  for (const s of scopes) {
    for (const n of s.nodes) {
      const sk = sinks(n);
      for (const i of sk?.idx ?? []) {
        const input = dataInputs(n)[i];
        const t =
          input === undefined
            ? ({ ok: false, why: 'no input' } as const)
            : trace(s, input, saverNode, budget);
        if (!t.ok) {
          note(
            'SAVEDMODEL_CHECKPOINT_PATH',
            `${where(s, n)}: ${sk!.what} takes its path from ${t.why}, not from the path the loader passes in`,
          );
        }
      }
    }
  }
  // a path argument must be fed by a checked call: not by a caller of the loaded model, not through control flow
  const entry = new Set(mg.entryFunctions);
  for (const s of scopes) {
    for (const n of s.nodes) {
      for (const [attr, names] of n.funcs) {
        names.forEach((f, k) => {
          const checked = CALL_OPS.has(n.op) && attr === 'f' && k === 0;
          if (!checked && pathArgs.get(f)?.size) {
            note(
              'SAVEDMODEL_CHECKPOINT_PATH',
              `${where(s, n)} passes values through attribute ${q(attr)} to function ${q(f)}, which uses them as a checkpoint path`,
            );
          }
        });
      }
    }
  }
  for (const sig of mg.signatureInputs) {
    if (saverNode !== '' && sig.split(':')[0] === saverNode) {
      note(
        'SAVEDMODEL_CHECKPOINT_PATH',
        `a signature takes the saver's filename tensor ${q(sig)} as an input, so a caller chooses the checkpoint path`,
      );
    }
  }
  for (const [f, set] of pathArgs) {
    if (set.size > 0 && entry.has(f)) {
      note(
        'SAVEDMODEL_CHECKPOINT_PATH',
        `function ${q(f)} can be called on the loaded model and uses its argument as a checkpoint path`,
      );
    }
  }
  for (const g of mg.gradients) {
    if (pathArgs.get(g)?.size)
      note('SAVEDMODEL_CHECKPOINT_PATH', `gradient function ${q(g)} uses its argument as a checkpoint path`);
  }
}
