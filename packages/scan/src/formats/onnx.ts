import { Cursor, type ReadAt, Truncated } from '../reader.ts';
import { lengthOf, ProtoError, shortString, skipValue, tag, varint } from './protobuf.ts';

/**
 * ONNX ModelProto, walked without reading tensor bytes: every node's (domain, op_type) in the main
 * graph, subgraphs, training graphs and model-local functions, and every initializer's external
 * data location.
 */
type Msg =
  | 'model'
  | 'graph'
  | 'node'
  | 'attr'
  | 'tensor'
  | 'sparse'
  | 'entry'
  | 'function'
  | 'training'
  | 'opset';

/** field -> message type to descend into; unlisted fields are skipped */
const CHILDREN: Readonly<Record<Msg, Readonly<Record<number, Msg>>>> = {
  model: { 7: 'graph', 8: 'opset', 20: 'training', 25: 'function' },
  graph: { 1: 'node', 5: 'tensor', 15: 'sparse' },
  node: { 5: 'attr' },
  attr: { 5: 'tensor', 6: 'graph', 10: 'tensor', 11: 'graph', 22: 'sparse', 23: 'sparse' },
  tensor: { 13: 'entry' },
  sparse: { 1: 'tensor', 2: 'tensor' },
  entry: {},
  function: { 7: 'node' },
  training: { 1: 'graph', 2: 'graph', 3: 'graph' },
  opset: {},
};

/** string fields kept: node op_type/domain, tensor name, entry key/value, function domain */
const STRINGS: Readonly<Partial<Record<Msg, Readonly<Record<number, string>>>>> = {
  node: { 4: 'op', 7: 'domain' },
  tensor: { 8: 'name' },
  entry: { 1: 'key', 2: 'value' },
  function: { 10: 'domain' },
};

export interface OnnxFacts {
  readonly nodes: readonly { readonly domain: string; readonly op: string }[];
  readonly functionDomains: ReadonlySet<string>;
  readonly external: readonly { readonly tensor: string; readonly location: string | null }[];
}

interface Frame {
  readonly msg: Msg;
  readonly end: number;
  readonly s: Record<string, string>;
  dataLocation: number;
  location: string | null;
  parent: Frame | null;
}

const MAX_DEPTH = 64;

export function walkOnnx(r: ReadAt): OnnxFacts | string {
  const cur = new Cursor(r);
  const nodes: { domain: string; op: string }[] = [];
  const functionDomains = new Set<string>();
  const external: { tensor: string; location: string | null }[] = [];
  const stack: Frame[] = [];
  let frame: Frame = { msg: 'model', end: r.size, s: {}, dataLocation: 0, location: null, parent: null };
  const close = (f: Frame) => {
    if (f.msg === 'node') nodes.push({ domain: f.s.domain ?? '', op: f.s.op ?? '' });
    if (f.msg === 'function') functionDomains.add(f.s.domain ?? '');
    if (f.msg === 'entry' && f.s.key === 'location' && f.parent) f.parent.location = f.s.value ?? '';
    if (f.msg === 'tensor' && (f.dataLocation === 1 || f.location !== null)) {
      external.push({ tensor: f.s.name ?? '', location: f.location });
    }
  };
  try {
    for (;;) {
      while (cur.pos === frame.end && stack.length > 0) {
        close(frame);
        frame = stack.pop()!;
      }
      if (cur.pos >= frame.end) break;
      const t = tag(cur);
      const child = t.wire === 2 ? CHILDREN[frame.msg][t.num] : undefined;
      const strName = t.wire === 2 ? STRINGS[frame.msg]?.[t.num] : undefined;
      if (child) {
        const len = lengthOf(cur);
        if (stack.length >= MAX_DEPTH) return `messages nest deeper than ${MAX_DEPTH}`;
        stack.push(frame);
        frame = { msg: child, end: cur.pos + len, s: {}, dataLocation: 0, location: null, parent: frame };
      } else if (strName) frame.s[strName] = shortString(cur);
      else if (frame.msg === 'tensor' && t.num === 14 && t.wire === 0) frame.dataLocation = varint(cur);
      else skipValue(cur, t.wire);
      if (cur.pos > frame.end) return 'a field runs past the end of its message';
    }
  } catch (e) {
    if (e instanceof ProtoError) return e.message;
    if (e instanceof Truncated) return `data ends inside a field (byte ${e.at})`;
    throw e;
  }
  return { nodes, functionDomains, external };
}

/** A location that resolves outside the model's directory, or is not a plain relative path. */
export function locationEscapes(loc: string): boolean {
  return (
    loc === '' ||
    loc.startsWith('/') ||
    loc.startsWith('\\') ||
    /^[A-Za-z]:/.test(loc) ||
    /^[a-z][a-z0-9+.-]*:/i.test(loc) ||
    loc.includes('\0') ||
    loc.split(/[\\/]/).includes('..')
  );
}
