import type { Cursor } from '../reader.ts';
import { lengthOf, ProtoError, skipValue, type Tag, tag, utf8 } from './protobuf.ts';

/** node and op names are short ASCII: decoded without a TextDecoder call, which dominates otherwise */
function decode(b: Uint8Array): string {
  if (b.byteLength > 64) return utf8.decode(b);
  let s = '';
  for (let i = 0; i < b.byteLength; i++) {
    const c = b[i]!;
    if (c >= 0x80) return utf8.decode(b);
    s += String.fromCharCode(c);
  }
  return s;
}

/**
 * The parts of a SavedModel (tensorflow/core/protobuf/saved_model.proto, meta_graph.proto,
 * graph.proto, function.proto, node_def.proto, attr_value.proto, saved_object_graph.proto) that
 * decide what loading and calling it can do: every node of every graph and function (op, inputs,
 * attributes naming functions or holding string constants), the saver's filename tensor, asset
 * file names and the object graph's entry points. Tensor contents are stepped over unread.
 *
 * Decoded as protobuf does: repeated fields accumulate, a singular message given twice is merged,
 * a singular scalar given twice keeps the last; a known field with an unexpected wire type is an
 * unknown field (skipped), as the C++ parser TensorFlow uses treats it.
 */
export interface TfNode {
  name: string;
  op: string;
  readonly inputs: string[];
  /** attribute name -> the functions it names (`func` and `list(func)` values, nested ones too) */
  funcs: Map<string, string[]>;
  /** attribute name -> its strings: `s` bytes, or a tensor's string_val (at most MAX_VALUES, then `…`) */
  strings: Map<string, readonly string[]>;
}

export interface TfFunction {
  name: string;
  readonly args: string[];
  readonly nodes: TfNode[];
}

export interface MetaGraph {
  readonly nodes: TfNode[];
  readonly functions: TfFunction[];
  /** library.gradient: function -> gradient function */
  readonly gradients: string[];
  saverFilename: string;
  readonly assets: string[];
  /** tensors the signatures feed from their callers (TensorInfo.name) */
  readonly signatureInputs: string[];
  /** concrete functions the object graph exposes to callers (SavedFunction, bare concrete functions) */
  readonly entryFunctions: string[];
  /** SavedUserObject.metadata: Keras JSON (tf.keras before keras_metadata.pb) */
  readonly userMetadata: { readonly identifier: string; readonly json: string }[];
}

export const SAVEDMODEL_LIMITS = {
  nodes: 2_000_000,
  functions: 200_000,
  /** node names, ops, inputs, attribute names */
  name: 16 << 10,
  /** string attribute values kept for messages (longer ones are cut) */
  value: 512,
  metadata: 16 << 20,
  /** func attributes inside func attributes */
  attrDepth: 8,
} as const;

/** string values kept per tensor attribute: enough for the saver's suffixes and for messages */
const MAX_VALUES = 16;
const NO_FUNCS: Map<string, string[]> = new Map();
const NO_STRINGS: Map<string, readonly string[]> = new Map();

type Handler = (cur: Cursor, t: Tag, end: number) => boolean;

/** Runs `on` for each field of the message ending at `end`; fields it does not take are skipped. */
export function fields(cur: Cursor, end: number, on: Handler): void {
  while (cur.pos < end) {
    const t = tag(cur);
    if (!on(cur, t, end)) skipValue(cur, t.wire);
    if (cur.pos > end) throw new ProtoError('a field runs past the end of its message');
  }
}

export function sub(cur: Cursor, parse: (end: number) => void): void {
  const len = lengthOf(cur);
  const end = cur.pos + len;
  parse(end);
  if (cur.pos !== end) throw new ProtoError('a message ends inside a field');
}

/** A handler that descends into each message field `num` (other fields are left to be skipped). */
export const eachMessage =
  (num: number, parse: (cur: Cursor, end: number) => void): Handler =>
  (c, t) => {
    if (t.num !== num || t.wire !== 2) return false;
    sub(c, (e) => parse(c, e));
    return true;
  };

/** Each string field `num` of the message at the cursor (a length-delimited field), to `take`. */
export function stringsOf(cur: Cursor, num: number, take: (s: string) => void): void {
  sub(cur, (end) =>
    fields(cur, end, (c, t) => {
      if (t.num !== num || t.wire !== 2) return false;
      take(str(c));
      return true;
    }),
  );
}

export function str(cur: Cursor, max: number = SAVEDMODEL_LIMITS.name): string {
  const n = lengthOf(cur);
  if (n > max) throw new ProtoError(`a name of ${n} bytes (limit ${max})`);
  return decode(cur.bytes(n));
}

/** a value kept only for messages: cut at SAVEDMODEL_LIMITS.value */
function clipped(cur: Cursor): string {
  const n = lengthOf(cur);
  const keep = Math.min(n, SAVEDMODEL_LIMITS.value);
  const s = utf8.decode(cur.bytes(keep));
  cur.skip(n - keep);
  return n > keep ? `${s}…` : s;
}

export class Counter {
  nodes = 0;
  functions = 0;
}

function node(cur: Cursor, end: number, count: Counter): TfNode {
  if (++count.nodes > SAVEDMODEL_LIMITS.nodes)
    throw new ProtoError(`more than ${SAVEDMODEL_LIMITS.nodes} nodes`);
  // most nodes have no function or string attributes: their maps are the shared empty ones
  const n: TfNode = { name: '', op: '', inputs: [], funcs: NO_FUNCS, strings: NO_STRINGS };
  fields(cur, end, (c, t) => {
    if (t.wire !== 2) return false;
    if (t.num === 1) n.name = str(c);
    else if (t.num === 2) n.op = str(c);
    else if (t.num === 3) n.inputs.push(str(c));
    else if (t.num === 5) {
      sub(c, (e) => {
        if (n.funcs === NO_FUNCS) n.funcs = new Map();
        if (n.strings === NO_STRINGS) n.strings = new Map();
        attrEntry(c, e, n.funcs, n.strings, 0);
      });
    } else return false;
    return true;
  });
  return n;
}

/** map<string, AttrValue> entry: key = 1, value = 2 */
function attrEntry(
  cur: Cursor,
  end: number,
  funcs: Map<string, string[]>,
  strings: Map<string, readonly string[]>,
  depth: number,
): void {
  let key = '';
  const found: string[] = [];
  let s: string[] | undefined;
  fields(cur, end, (c, t) => {
    if (t.wire !== 2) return false;
    if (t.num === 1) key = str(c);
    else if (t.num === 2) {
      found.length = 0;
      s = undefined;
      sub(c, (e) => {
        s = attrValue(c, e, found, depth);
      });
    } else return false;
    return true;
  });
  if (found.length > 0) funcs.set(key, [...found]);
  else funcs.delete(key);
  if (s !== undefined) strings.set(key, s);
  else strings.delete(key);
}

/** AttrValue: s = 2, tensor = 8, list = 1 (ListValue: func = 9), func = 10 (NameAttrList) */
function attrValue(cur: Cursor, end: number, funcs: string[], depth: number): string[] | undefined {
  if (depth > SAVEDMODEL_LIMITS.attrDepth) {
    throw new ProtoError(`function attributes nest deeper than ${SAVEDMODEL_LIMITS.attrDepth}`);
  }
  let s: string[] | undefined;
  fields(cur, end, (c, t) => {
    if (t.wire !== 2) return false;
    if (t.num === 2) s = [clipped(c)];
    else if (t.num === 8) sub(c, (e) => (s = tensorString(c, e) ?? s));
    else if (t.num === 10) sub(c, (e) => nameAttrList(c, e, funcs, depth + 1));
    else if (t.num === 1)
      sub(c, (e) =>
        fields(
          c,
          e,
          eachMessage(9, (c2, e2) => nameAttrList(c2, e2, funcs, depth + 1)),
        ),
      );
    else return false;
    return true;
  });
  return s;
}

/** NameAttrList: name = 1, attr = 2 (whose values may name more functions) */
function nameAttrList(cur: Cursor, end: number, funcs: string[], depth: number): void {
  let name = '';
  const inner = new Map<string, string[]>();
  fields(cur, end, (c, t) => {
    if (t.wire !== 2) return false;
    if (t.num === 1) name = str(c);
    else if (t.num === 2) sub(c, (e) => attrEntry(c, e, inner, new Map(), depth));
    else return false;
    return true;
  });
  funcs.push(name);
  for (const v of inner.values()) funcs.push(...v);
}

/** TensorProto string_val = 8, every one up to MAX_VALUES (tensor_content = 4 is skipped unread) */
function tensorString(cur: Cursor, end: number): string[] | undefined {
  const out: string[] = [];
  fields(cur, end, (c, t) => {
    if (t.num !== 8 || t.wire !== 2) return false;
    if (out.length < MAX_VALUES) out.push(clipped(c));
    else {
      skipValue(c, t.wire);
      out[MAX_VALUES] = '…';
    }
    return true;
  });
  return out.length > 0 ? out : undefined;
}

/** FunctionDef: signature = 1 (OpDef: name = 1, input_arg = 2 (ArgDef: name = 1)), node_def = 3 */
function functionDef(cur: Cursor, end: number, count: Counter): TfFunction {
  if (++count.functions > SAVEDMODEL_LIMITS.functions) {
    throw new ProtoError(`more than ${SAVEDMODEL_LIMITS.functions} functions`);
  }
  const f: TfFunction = { name: '', args: [], nodes: [] };
  fields(cur, end, (c, t) => {
    if (t.wire !== 2) return false;
    if (t.num === 3) f.nodes.push(nodeIn(c, count));
    else if (t.num === 1) {
      sub(c, (e) =>
        fields(c, e, (c2, t2) => {
          if (t2.wire !== 2) return false;
          if (t2.num === 1) f.name = str(c2);
          else if (t2.num === 2) stringsOf(c2, 1, (s) => f.args.push(s));
          else return false;
          return true;
        }),
      );
    } else return false;
    return true;
  });
  return f;
}

function nodeIn(cur: Cursor, count: Counter): TfNode {
  let n: TfNode | undefined;
  sub(cur, (e) => {
    n = node(cur, e, count);
  });
  return n!;
}

/** GraphDef: node = 1, library = 2 (FunctionDefLibrary: function = 1, gradient = 2) */
export function graphDef(cur: Cursor, end: number, mg: MetaGraph, count: Counter): void {
  fields(cur, end, (c, t) => {
    if (t.wire !== 2) return false;
    if (t.num === 1) mg.nodes.push(nodeIn(c, count));
    else if (t.num === 2) {
      sub(c, (e) =>
        fields(c, e, (c2, t2) => {
          if (t2.wire !== 2) return false;
          if (t2.num === 1) sub(c2, (e2) => mg.functions.push(functionDef(c2, e2, count)));
          // GradientDef: function_name = 1, gradient_func = 2
          else if (t2.num === 2) stringsOf(c2, 2, (s) => mg.gradients.push(s));
          else return false;
          return true;
        }),
      );
    } else return false;
    return true;
  });
}
