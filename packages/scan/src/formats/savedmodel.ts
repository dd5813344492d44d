import { Cursor, type ReadAt } from '../reader.ts';
import { lengthOf, shortString, skipValue, tag } from './protobuf.ts';

/**
 * TensorFlow SavedModel (saved_model.pb): graphs can call ops that read and write files or run
 * Python. The format is never accepted (it is not analysable short of TensorFlow itself), but the ops
 * known to reach files or Python are named in the report.
 */
export const FILE_OR_PYTHON_OPS = new Set([
  'ReadFile',
  'WriteFile',
  'MatchingFiles',
  'PyFunc',
  'PyFuncStateless',
  'EagerPyFunc',
  'PrintV2',
  'ImmutableConst',
  'WholeFileReader',
  'WholeFileReaderV2',
  'DebugIdentityV2',
]);

type Msg = 'saved' | 'meta' | 'graph' | 'library' | 'function' | 'node';
const CHILDREN: Readonly<Record<Msg, Readonly<Record<number, Msg>>>> = {
  saved: { 2: 'meta' },
  meta: { 2: 'graph' },
  graph: { 1: 'node', 2: 'library' },
  library: { 1: 'function' },
  function: { 3: 'node' },
  node: {},
};

/** The ops of every graph and function; null when the walk fails. */
export function savedModelOps(r: ReadAt): Set<string> | null {
  const cur = new Cursor(r);
  const ops = new Set<string>();
  const stack: { msg: Msg; end: number }[] = [];
  let frame: { msg: Msg; end: number } = { msg: 'saved', end: r.size };
  try {
    for (;;) {
      while (cur.pos === frame.end && stack.length > 0) frame = stack.pop()!;
      if (cur.pos >= frame.end) return ops;
      const t = tag(cur);
      const child = t.wire === 2 ? CHILDREN[frame.msg][t.num] : undefined;
      if (child) {
        const len = lengthOf(cur);
        if (stack.length > 32) return null;
        stack.push(frame);
        frame = { msg: child, end: cur.pos + len };
      } else if (frame.msg === 'node' && t.num === 2 && t.wire === 2) ops.add(shortString(cur, 256));
      else skipValue(cur, t.wire);
      if (cur.pos > frame.end) return null;
    }
  } catch {
    return null;
  }
}
