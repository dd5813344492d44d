import type { FindingCode } from '../findings.ts';
import { checkKerasConfigText } from './json-checks.ts';
import { locationEscapes } from './onnx.ts';
import { CHECKPOINT_OPS, KNOWN_UNSAFE_OPS } from './savedmodel-ops.ts';
import { checkCheckpointPaths, q, type Scope, scopeOf, where } from './savedmodel-paths.ts';
import type { MetaGraph, TfFunction, TfNode } from './savedmodel-proto.ts';

/**
 * What a SavedModel can make TensorFlow do when it is loaded and called, judged from its graphs
 * alone: every op of the main graph and of every library function, every function named in an
 * attribute (PartitionedCall instantiates a bare op name as a function, so those are ops too), and
 * where the paths of the checkpoint ops come from. Nothing is executed.
 */
export interface SavedModelIssue {
  readonly code: FindingCode;
  readonly message: string;
}

/** PrintV2 writes to the `output_stream` attribute; only these are not files */
const PRINT_STREAMS = new Set(['stderr', 'stdout', 'log(info)', 'log(warning)', 'log(error)']);
const MAX_ISSUES = 200;

/** `allowed`: the profile's TensorFlow ops (PURE_OPS in both built-in profiles) */
export function checkMetaGraph(mg: MetaGraph, allowed: ReadonlySet<string>): SavedModelIssue[] {
  const issues: SavedModelIssue[] = [];
  const note = (code: FindingCode, message: string) => {
    if (issues.length < MAX_ISSUES) issues.push({ code, message });
  };
  const fns = new Map<string, TfFunction>();
  for (const f of mg.functions) {
    if (fns.has(f.name)) note('SAVEDMODEL_MALFORMED', `function ${q(f.name)} is defined twice`);
    fns.set(f.name, f);
  }
  const scopes: Scope[] = [scopeOf(null, mg.nodes), ...[...fns.values()].map((f) => scopeOf(f, f.nodes))];
  for (const s of scopes) {
    // TensorFlow refuses such a graph; the dataflow check must not pick one of the two
    if (s.byName.size === s.nodes.length) continue;
    const seen = new Set<string>();
    const dup = s.nodes.find((n) => seen.size === seen.add(n.name).size)!;
    note('SAVEDMODEL_MALFORMED', `${where(s, dup)} is defined twice`);
  }

  // ops: each (op, scope) once, with how many nodes use it
  const unsafe = new Map<string, { code: FindingCode; text: string; count: number }>();
  const flag = (code: FindingCode, op: string, s: Scope, n: TfNode, what: string) => {
    const key = `${op}\0${s.fn?.name ?? ''}`;
    const seen = unsafe.get(key);
    if (seen) seen.count++;
    else unsafe.set(key, { code, text: `${where(s, n)} uses ${op}, which ${what}`, count: 1 });
  };
  const checkOp = (op: string, s: Scope, n: TfNode) => {
    if (allowed.has(op) || fns.has(op) || op in CHECKPOINT_OPS) return;
    if (op === 'PrintV2' && PRINT_STREAMS.has(n.strings.get('output_stream')?.[0] ?? 'stderr')) return;
    const why = KNOWN_UNSAFE_OPS.get(op);
    if (why !== undefined) flag('SAVEDMODEL_OP', op, s, n, why);
    else flag('SAVEDMODEL_OP_UNKNOWN', op, s, n, 'is not an op the scanner knows to stay in memory');
  };
  for (const s of scopes) {
    for (const n of s.nodes) {
      checkOp(n.op, s, n);
      // a function attribute naming an op, not a library function, instantiates that op
      for (const names of n.funcs.values()) for (const f of names) if (!fns.has(f)) checkOp(f, s, n);
    }
  }
  for (const g of mg.gradients) {
    if (!fns.has(g) && !allowed.has(g))
      note('SAVEDMODEL_OP_UNKNOWN', `gradient function ${q(g)} is not defined`);
  }
  for (const u of unsafe.values()) {
    note(u.code, u.count > 1 ? `${u.text} (${u.count} nodes)` : u.text);
  }

  checkCheckpointPaths(mg, fns, scopes, note);

  for (const a of mg.assets) {
    if (locationEscapes(a))
      note('SAVEDMODEL_ASSET_PATH', `asset file ${q(a)} is not a plain path inside assets/`);
  }
  for (const m of mg.userMetadata) {
    const object = `object ${q(m.identifier)}`;
    for (const i of checkKerasConfigText(
      `${object} metadata`,
      m.json,
      `${object} carries metadata that is not JSON`,
    ))
      note(i.code, i.message);
  }
  return issues;
}
