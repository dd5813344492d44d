import type { Finding, FindingCode, Findings } from '../findings.ts';
import { canonicalGlobal, isBlockedModule, type Profile } from '../profile.ts';
import { type Cursor, Truncated } from '../reader.ts';
import { decimalLine, latin1Text, pyStringLiteral, rawUnicodeEscape, utf8Strict } from './text-args.ts';
import * as V from './values.ts';

/**
 * A symbolic walk of a pickle stream, opcode by opcode (protocols 0-5), with the stack, the mark
 * stack and the memo tracked as Values. Nothing is unpickled. Every import (GLOBAL, INST,
 * STACK_GLOBAL) is resolved to an exact `module.qualname` and checked against the profile; every
 * call (REDUCE, NEWOBJ, OBJ, INST) and BUILD is checked for what it acts on. A structural anomaly
 * ends the walk with a finding: past it, nothing the stream does can be known.
 */

export interface PickleLimits {
  readonly maxMemo: number;
  readonly maxStack: number;
  readonly maxDepth: number;
  readonly maxOps: number;
}

export const DEFAULT_PICKLE_LIMITS: PickleLimits = {
  maxMemo: 1_000_000,
  maxStack: 1_000_000,
  maxDepth: 100_000,
  maxOps: 20_000_000,
};

export interface PickleOptions {
  readonly profile: Profile;
  readonly findings: Findings;
  readonly member?: string;
  readonly limits?: PickleLimits;
}

export interface PickleResult {
  /** reached STOP with a well-formed stack */
  readonly complete: boolean;
  /** offset just after STOP (or where the walk ended) */
  readonly end: number;
  /** the value STOP returns, when complete */
  readonly top: V.Value | null;
  /** every import, as written (module.name), in first-seen order */
  readonly globals: readonly string[];
}

class Halt extends Error {
  readonly code: FindingCode;
  readonly global: string | undefined;
  constructor(code: FindingCode, message: string, global?: string) {
    super(message);
    this.code = code;
    this.global = global;
  }
}

const MAX_NAME_LINE = 4096;
const MAX_TEXT_LINE = 1 << 20;

export function analysePickle(cur: Cursor, opts: PickleOptions): PickleResult {
  const limits = opts.limits ?? DEFAULT_PICKLE_LIMITS;
  const { profile, findings } = opts;
  let stack: V.Value[] = [];
  const marks: V.Value[][] = [];
  let held = 0; // values on the stack and under marks
  const memo = new Map<number, V.Value>();
  const globals: string[] = [];
  const seen = new Set<string>();
  let protos = 0;
  let frameEnd = -1;
  let ops = 0;
  let opStart = cur.pos;

  const add = (code: FindingCode, message: string, global?: string): void => {
    const f: Finding = { code, message, offset: opStart, ...(global ? { global } : {}) };
    findings.add(opts.member === undefined ? f : { ...f, member: opts.member });
  };

  const push = (v: V.Value): void => {
    if (++held > limits.maxStack)
      throw new Halt('PICKLE_LIMIT_STACK', `more than ${limits.maxStack} values held`);
    stack.push(v);
  };
  const pop = (): V.Value => {
    const v = stack.pop();
    if (v === undefined) throw new Halt('PICKLE_STACK_UNDERFLOW', 'an opcode pops an empty stack');
    held--;
    return v;
  };
  const top = (): V.Value => {
    const v = stack[stack.length - 1];
    if (v === undefined)
      throw new Halt('PICKLE_STACK_UNDERFLOW', 'an opcode needs a value on an empty stack');
    return v;
  };
  const popMark = (): V.Value[] => {
    const items = stack;
    const below = marks.pop();
    if (below === undefined)
      throw new Halt('PICKLE_MARK_MISSING', 'an opcode needs a MARK that was never set');
    stack = below;
    held -= items.length;
    return items;
  };
  const memoPut = (i: number): void => {
    if (i < 0 || !Number.isSafeInteger(i))
      throw new Halt('PICKLE_BAD_ARGUMENT', `memo index ${i} is invalid`);
    if (memo.has(i)) throw new Halt('PICKLE_MEMO_OVERWRITE', `memo slot ${i} is written twice`);
    if (memo.size >= limits.maxMemo)
      throw new Halt('PICKLE_LIMIT_MEMO', `more than ${limits.maxMemo} memo slots`);
    memo.set(i, top());
  };
  const memoGet = (i: number): void => {
    const v = memo.get(i);
    if (v === undefined)
      throw new Halt('PICKLE_MEMO_MISSING', `memo slot ${i} is read but was never written`);
    push(v);
  };

  /** The import itself is the check: importing a module runs its code. */
  const importGlobal = (module: string, name: string): V.Value => {
    const raw = `${module}.${name}`;
    if (!seen.has(raw)) {
      seen.add(raw);
      globals.push(raw);
      const canonical = canonicalGlobal(module, name);
      if (isBlockedModule(module) || !profile.globals.has(canonical)) {
        add('GLOBAL_NOT_ALLOWED', `imports ${raw}, which profile ${profile.name} does not allow`, raw);
      }
    }
    return { k: 'global', name: raw };
  };
  const call = (callable: V.Value, via: string): V.Value => {
    if (callable.k !== 'global') {
      add('PICKLE_CALL_TARGET', `${via} calls ${V.describe(callable)}, not an imported global`);
      return V.UNKNOWN;
    }
    return { k: 'instance', of: callable.name };
  };
  const mutate = (target: V.Value, kind: 'list' | 'dict' | 'set', via: string): void => {
    if (target.k !== kind && target.k !== 'instance') {
      add('PICKLE_TARGET_TYPE', `${via} applied to ${V.describe(target)}`);
    }
  };
  const nameLine = (): string => {
    const b = cur.line(MAX_NAME_LINE);
    const s = b === null ? null : utf8Strict(b);
    if (s === null) throw new Halt('PICKLE_BAD_ARGUMENT', 'a GLOBAL/INST name is not a UTF-8 line');
    return s;
  };
  const textLine = (): Uint8Array => {
    const b = cur.line(MAX_TEXT_LINE);
    if (b === null)
      throw new Halt('PICKLE_BAD_ARGUMENT', `a text argument is longer than ${MAX_TEXT_LINE} bytes`);
    return b;
  };
  const decimal = (long: boolean): bigint => {
    const n = decimalLine(textLine(), long);
    if (n === null) throw new Halt('PICKLE_BAD_ARGUMENT', 'a decimal argument is malformed');
    return n;
  };
  /** A length-prefixed string: kept only when short enough to name a global. */
  const lengthString = (n: number, decode: (b: Uint8Array) => string | null): V.Value => {
    if (n > cur.remaining) throw new Truncated(cur.end);
    if (n > V.MAX_KEPT_STRING) {
      cur.skip(n);
      return V.LONG_STR;
    }
    return { k: 'str', v: decode(cur.bytes(n)) };
  };
  const skipBytes = (n: number): V.Value => {
    if (n > cur.remaining) throw new Truncated(cur.end);
    cur.skip(n);
    return V.BYTES;
  };

  try {
    for (;;) {
      if (frameEnd >= 0 && cur.pos === frameEnd) frameEnd = -1;
      opStart = cur.pos;
      if (++ops > limits.maxOps) throw new Halt('PICKLE_LIMIT_OPS', `more than ${limits.maxOps} opcodes`);
      const op = cur.u8();
      switch (op) {
        case 0x80: {
          // PROTO
          const p = cur.u8();
          if (++protos > 1) throw new Halt('PICKLE_PROTO_REPEATED', 'a second PROTO opcode');
          if (p > 5) throw new Halt('PICKLE_PROTO_UNSUPPORTED', `protocol ${p} does not exist`);
          break;
        }
        case 0x95: {
          // FRAME
          const n = cur.u64();
          if (frameEnd >= 0)
            throw new Halt('PICKLE_FRAME_BAD', 'a FRAME starts before the previous one ends');
          if (n > cur.remaining)
            throw new Halt('PICKLE_FRAME_BAD', `a FRAME of ${n} bytes runs past the end`);
          frameEnd = cur.pos + n;
          break;
        }
        case 0x2e: {
          // STOP
          const value = pop();
          if (stack.length > 0 || marks.length > 0) {
            throw new Halt('PICKLE_STACK_LEFTOVER', 'STOP leaves values or marks behind');
          }
          if (frameEnd >= 0 && cur.pos !== frameEnd)
            throw new Halt('PICKLE_FRAME_BAD', 'STOP inside a frame');
          return { complete: true, end: cur.pos, top: value, globals };
        }
        // imports and calls
        case 0x63: {
          // GLOBAL
          const module = nameLine();
          push(importGlobal(module, nameLine()));
          break;
        }
        case 0x93: {
          // STACK_GLOBAL
          const name = pop();
          const module = pop();
          if (module.k !== 'str' || name.k !== 'str' || module.v === null || name.v === null) {
            const shown = `${module.k === 'str' ? module.v : '?'}.${name.k === 'str' ? name.v : '?'}`;
            add(
              'PICKLE_STACK_GLOBAL_NONCONST',
              `STACK_GLOBAL takes ${V.describe(module)} and ${V.describe(name)}, not string constants`,
              shown,
            );
            push(V.UNKNOWN);
          } else push(importGlobal(module.v, name.v));
          break;
        }
        case 0x69: {
          // INST
          const module = nameLine();
          const cls = importGlobal(module, nameLine());
          popMark();
          push(call(cls, 'INST'));
          break;
        }
        case 0x6f: {
          // OBJ
          const items = popMark();
          const cls = items[0];
          if (cls === undefined) throw new Halt('PICKLE_STACK_UNDERFLOW', 'OBJ without a class');
          push(call(cls, 'OBJ'));
          break;
        }
        case 0x52: {
          // REDUCE
          pop();
          push(call(pop(), 'REDUCE'));
          break;
        }
        case 0x81: {
          // NEWOBJ
          pop();
          push(call(pop(), 'NEWOBJ'));
          break;
        }
        case 0x92: {
          // NEWOBJ_EX
          pop();
          pop();
          push(call(pop(), 'NEWOBJ_EX'));
          break;
        }
        case 0x62: {
          // BUILD
          pop();
          const target = top();
          if (target.k !== 'instance') {
            add(
              'PICKLE_BUILD_TARGET',
              `BUILD sets state on ${V.describe(target)}, not on an instance it made`,
            );
          }
          break;
        }
        case 0x50: {
          // PERSID
          textLine();
          add('PICKLE_PERSID', 'a text persistent id (PERSID); only storage references are accepted');
          push(V.PERSISTENT);
          break;
        }
        case 0x51: {
          // BINPERSID
          const pid = pop();
          const first = pid.k === 'tuple' ? pid.items[0] : undefined;
          if (first === undefined || first.k !== 'str' || first.v !== 'storage') {
            add('PICKLE_PERSID', `a persistent id that is ${V.describe(pid)}, not a ('storage', ...) tuple`);
          }
          push(V.PERSISTENT);
          break;
        }
        case 0x82:
        case 0x83:
        case 0x84: {
          // EXT1, EXT2, EXT4: a global from copyreg's extension registry, unknowable here
          const code = op === 0x82 ? cur.u8() : op === 0x83 ? cur.u16() : cur.i32();
          add(
            'PICKLE_EXT',
            `EXT opcode imports extension code ${code} from the copyreg registry`,
            `ext:${code}`,
          );
          push(V.UNKNOWN);
          break;
        }
        case 0x97:
          add('PICKLE_OUT_OF_BAND', 'NEXT_BUFFER takes an out-of-band buffer the file does not hold');
          push(V.BUFFER);
          break;
        case 0x98:
          add('PICKLE_OUT_OF_BAND', 'READONLY_BUFFER on an out-of-band buffer');
          top();
          break;
        // containers
        case 0x28:
          // MARK
          if (marks.length >= limits.maxDepth) {
            throw new Halt('PICKLE_LIMIT_DEPTH', `MARKs nest deeper than ${limits.maxDepth}`);
          }
          marks.push(stack);
          stack = [];
          break;
        case 0x61: {
          // APPEND
          pop();
          mutate(top(), 'list', 'APPEND');
          break;
        }
        case 0x65:
          popMark();
          mutate(top(), 'list', 'APPENDS');
          break;
        case 0x73:
          pop();
          pop();
          mutate(top(), 'dict', 'SETITEM');
          break;
        case 0x75: {
          const items = popMark();
          if (items.length % 2 !== 0)
            throw new Halt('PICKLE_BAD_ARGUMENT', 'SETITEMS with an odd number of items');
          mutate(top(), 'dict', 'SETITEMS');
          break;
        }
        case 0x90:
          popMark();
          mutate(top(), 'set', 'ADDITEMS');
          break;
        case 0x74:
          push({ k: 'tuple', items: popMark() });
          break;
        case 0x29:
          push(V.EMPTY_TUPLE);
          break;
        case 0x85:
        case 0x86:
        case 0x87: {
          const n = op - 0x84;
          const items: V.Value[] = [];
          for (let i = 0; i < n; i++) items.unshift(pop());
          push({ k: 'tuple', items });
          break;
        }
        case 0x6c:
          popMark();
          push(V.LIST);
          break;
        case 0x5d:
          push(V.LIST);
          break;
        case 0x64:
          if (popMark().length % 2 !== 0)
            throw new Halt('PICKLE_BAD_ARGUMENT', 'DICT with an odd number of items');
          push(V.DICT);
          break;
        case 0x7d:
          push(V.DICT);
          break;
        case 0x8f:
          push(V.SET);
          break;
        case 0x91:
          popMark();
          push(V.FROZENSET);
          break;
        // stack and memo
        case 0x30:
          // POP: with an empty stack, Python's unpickler discards the topmost mark instead
          if (stack.length > 0) pop();
          else popMark();
          break;
        case 0x31:
          popMark();
          break;
        case 0x32:
          push(top());
          break;
        case 0x70:
          memoPut(Number(decimal(false)));
          break;
        case 0x71:
          memoPut(cur.u8());
          break;
        case 0x72:
          memoPut(cur.u32());
          break;
        case 0x94:
          memoPut(memo.size);
          break;
        case 0x67:
          memoGet(Number(decimal(false)));
          break;
        case 0x68:
          memoGet(cur.u8());
          break;
        case 0x6a:
          memoGet(cur.u32());
          break;
        // constants
        case 0x4e:
          push(V.NONE);
          break;
        case 0x88:
        case 0x89:
          push(V.BOOL);
          break;
        case 0x49: {
          // INT: "01"/"00" are True/False in protocol 0
          push({ k: 'int', v: decimal(false) });
          break;
        }
        case 0x4c:
          push({ k: 'int', v: decimal(true) });
          break;
        case 0x4a:
          push({ k: 'int', v: BigInt(cur.i32()) });
          break;
        case 0x4b:
          push({ k: 'int', v: BigInt(cur.u8()) });
          break;
        case 0x4d:
          push({ k: 'int', v: BigInt(cur.u16()) });
          break;
        case 0x8a:
        case 0x8b: {
          const n = op === 0x8a ? cur.u8() : cur.i32();
          if (n < 0) throw new Halt('PICKLE_BAD_ARGUMENT', 'LONG4 with a negative length');
          if (n > cur.remaining) throw new Truncated(cur.end);
          if (n <= 64) push({ k: 'int', v: V.decodeLong(cur.bytes(n)) });
          else {
            cur.skip(n);
            push({ k: 'int', v: null });
          }
          break;
        }
        case 0x46:
          textLine();
          push(V.FLOAT);
          break;
        case 0x47:
          cur.skip(8);
          push(V.FLOAT);
          break;
        case 0x53:
          push({ k: 'str', v: pyStringLiteral(textLine()) });
          break;
        case 0x56:
          push({ k: 'str', v: rawUnicodeEscape(textLine()) });
          break;
        case 0x54: {
          // BINSTRING: str under pickle.load's default ASCII encoding
          const n = cur.i32();
          if (n < 0) throw new Halt('PICKLE_BAD_ARGUMENT', 'BINSTRING with a negative length');
          push(lengthString(n, latin1Text));
          break;
        }
        case 0x55:
          push(lengthString(cur.u8(), latin1Text));
          break;
        case 0x58:
          push(lengthString(cur.u32(), utf8Strict));
          break;
        case 0x8c:
          push(lengthString(cur.u8(), utf8Strict));
          break;
        case 0x8d:
          push(lengthString(cur.u64(), utf8Strict));
          break;
        case 0x42:
          push(skipBytes(cur.u32()));
          break;
        case 0x43:
          push(skipBytes(cur.u8()));
          break;
        case 0x8e:
          push(skipBytes(cur.u64()));
          break;
        case 0x96:
          skipBytes(cur.u64());
          push(V.BYTEARRAY);
          break;
        default:
          throw new Halt('PICKLE_OPCODE_UNKNOWN', `unknown opcode 0x${op.toString(16).padStart(2, '0')}`);
      }
      if (frameEnd >= 0 && cur.pos > frameEnd) {
        throw new Halt('PICKLE_FRAME_BAD', 'an opcode crosses the end of its frame');
      }
    }
  } catch (e) {
    if (e instanceof Halt) add(e.code, e.message, e.global);
    else if (e instanceof Truncated)
      add('PICKLE_TRUNCATED', `the pickle ends inside an opcode (byte ${e.at})`);
    else throw e;
    return { complete: false, end: cur.pos, top: null, globals };
  }
}
