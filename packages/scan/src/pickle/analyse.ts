import type { Findings } from '../findings.ts';
import type { Profile } from '../profile.ts';
import { type Cursor, Truncated } from '../reader.ts';
import { dataOp } from './data-ops.ts';
import { DEFAULT_PICKLE_LIMITS, Halt, Machine, type PickleLimits } from './machine.ts';
import * as V from './values.ts';

export { DEFAULT_PICKLE_LIMITS, type PickleLimits } from './machine.ts';

/**
 * A symbolic walk of a pickle stream, opcode by opcode (protocols 0-5), with the stack, the mark
 * stack and the memo tracked as Values. Nothing is unpickled. Every import (GLOBAL, INST,
 * STACK_GLOBAL) is resolved to an exact `module.qualname` and checked against the profile; every
 * call (REDUCE, NEWOBJ, OBJ, INST) and BUILD is checked for what it acts on. A structural anomaly
 * ends the walk with a finding: past it, nothing the stream does can be known.
 */

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

export function analysePickle(cur: Cursor, opts: PickleOptions): PickleResult {
  const m = new Machine(cur, opts.profile, opts.findings, opts.limits ?? DEFAULT_PICKLE_LIMITS, opts.member);
  const maxOps = (opts.limits ?? DEFAULT_PICKLE_LIMITS).maxOps;
  let protos = 0;
  let frameEnd = -1;
  let ops = 0;

  try {
    for (;;) {
      if (frameEnd >= 0 && cur.pos === frameEnd) frameEnd = -1;
      m.opStart = cur.pos;
      if (++ops > maxOps) throw new Halt('PICKLE_LIMIT_OPS', `more than ${maxOps} opcodes`);
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
          const value = m.pop();
          if (m.stack.length > 0 || m.marks.length > 0) {
            throw new Halt('PICKLE_STACK_LEFTOVER', 'STOP leaves values or marks behind');
          }
          if (frameEnd >= 0 && cur.pos !== frameEnd)
            throw new Halt('PICKLE_FRAME_BAD', 'STOP inside a frame');
          return { complete: true, end: cur.pos, top: value, globals: m.globals };
        }
        // imports and calls
        case 0x63: {
          // GLOBAL
          const module = m.nameLine();
          m.push(m.importGlobal(module, m.nameLine()));
          break;
        }
        case 0x93: {
          // STACK_GLOBAL
          const name = m.pop();
          const module = m.pop();
          if (module.k !== 'str' || name.k !== 'str' || module.v === null || name.v === null) {
            const shown = `${module.k === 'str' ? module.v : '?'}.${name.k === 'str' ? name.v : '?'}`;
            m.add(
              'PICKLE_STACK_GLOBAL_NONCONST',
              `STACK_GLOBAL takes ${V.describe(module)} and ${V.describe(name)}, not string constants`,
              shown,
            );
            m.push(V.UNKNOWN);
          } else m.push(m.importGlobal(module.v, name.v));
          break;
        }
        case 0x69: {
          // INST
          const module = m.nameLine();
          const cls = m.importGlobal(module, m.nameLine());
          m.popMark();
          m.push(m.call(cls, 'INST'));
          break;
        }
        case 0x6f: {
          // OBJ
          const items = m.popMark();
          const cls = items[0];
          if (cls === undefined) throw new Halt('PICKLE_STACK_UNDERFLOW', 'OBJ without a class');
          m.push(m.call(cls, 'OBJ'));
          break;
        }
        case 0x52: {
          // REDUCE
          m.pop();
          m.push(m.call(m.pop(), 'REDUCE'));
          break;
        }
        case 0x81: {
          // NEWOBJ
          m.pop();
          m.push(m.call(m.pop(), 'NEWOBJ'));
          break;
        }
        case 0x92: {
          // NEWOBJ_EX
          m.pop();
          m.pop();
          m.push(m.call(m.pop(), 'NEWOBJ_EX'));
          break;
        }
        case 0x62: {
          // BUILD
          m.pop();
          const target = m.top();
          if (target.k !== 'instance') {
            m.add(
              'PICKLE_BUILD_TARGET',
              `BUILD sets state on ${V.describe(target)}, not on an instance it made`,
            );
          }
          break;
        }
        case 0x50: {
          // PERSID
          m.textLine();
          m.add('PICKLE_PERSID', 'a text persistent id (PERSID); only storage references are accepted');
          m.push(V.PERSISTENT);
          break;
        }
        case 0x51: {
          // BINPERSID
          const pid = m.pop();
          const first = pid.k === 'tuple' ? pid.items[0] : undefined;
          if (first === undefined || first.k !== 'str' || first.v !== 'storage') {
            m.add(
              'PICKLE_PERSID',
              `a persistent id that is ${V.describe(pid)}, not a ('storage', ...) tuple`,
            );
          }
          m.push(V.PERSISTENT);
          break;
        }
        case 0x82:
        case 0x83:
        case 0x84: {
          // EXT1, EXT2, EXT4: a global from copyreg's extension registry, unknowable here
          const code = op === 0x82 ? cur.u8() : op === 0x83 ? cur.u16() : cur.i32();
          m.add(
            'PICKLE_EXT',
            `EXT opcode imports extension code ${code} from the copyreg registry`,
            `ext:${code}`,
          );
          m.push(V.UNKNOWN);
          break;
        }
        case 0x97:
          m.add('PICKLE_OUT_OF_BAND', 'NEXT_BUFFER takes an out-of-band buffer the file does not hold');
          m.push(V.BUFFER);
          break;
        case 0x98:
          m.add('PICKLE_OUT_OF_BAND', 'READONLY_BUFFER on an out-of-band buffer');
          m.top();
          break;
        // containers
        case 0x28:
          // MARK
          m.mark();
          break;
        case 0x61: {
          // APPEND
          m.pop();
          m.mutate(m.top(), 'list', 'APPEND');
          break;
        }
        case 0x65:
          m.popMark();
          m.mutate(m.top(), 'list', 'APPENDS');
          break;
        case 0x73:
          m.pop();
          m.pop();
          m.mutate(m.top(), 'dict', 'SETITEM');
          break;
        case 0x75: {
          const items = m.popMark();
          if (items.length % 2 !== 0)
            throw new Halt('PICKLE_BAD_ARGUMENT', 'SETITEMS with an odd number of items');
          m.mutate(m.top(), 'dict', 'SETITEMS');
          break;
        }
        case 0x90:
          m.popMark();
          m.mutate(m.top(), 'set', 'ADDITEMS');
          break;
        case 0x74:
          m.push({ k: 'tuple', items: m.popMark() });
          break;
        case 0x29:
          m.push(V.EMPTY_TUPLE);
          break;
        case 0x85:
        case 0x86:
        case 0x87: {
          const n = op - 0x84;
          const items: V.Value[] = [];
          for (let i = 0; i < n; i++) items.unshift(m.pop());
          m.push({ k: 'tuple', items });
          break;
        }
        case 0x6c:
          m.popMark();
          m.push(V.LIST);
          break;
        case 0x5d:
          m.push(V.LIST);
          break;
        case 0x64:
          if (m.popMark().length % 2 !== 0)
            throw new Halt('PICKLE_BAD_ARGUMENT', 'DICT with an odd number of items');
          m.push(V.DICT);
          break;
        case 0x7d:
          m.push(V.DICT);
          break;
        case 0x8f:
          m.push(V.SET);
          break;
        case 0x91:
          m.popMark();
          m.push(V.FROZENSET);
          break;
        // stack and memo
        case 0x30:
          // POP: with an empty stack, Python's unpickler discards the topmost mark instead
          if (m.stack.length > 0) m.pop();
          else m.popMark();
          break;
        case 0x31:
          m.popMark();
          break;
        case 0x32:
          m.push(m.top());
          break;
        default:
          if (dataOp(op, m)) break;
          throw new Halt('PICKLE_OPCODE_UNKNOWN', `unknown opcode 0x${op.toString(16).padStart(2, '0')}`);
      }
      if (frameEnd >= 0 && cur.pos > frameEnd) {
        throw new Halt('PICKLE_FRAME_BAD', 'an opcode crosses the end of its frame');
      }
    }
  } catch (e) {
    if (e instanceof Halt) m.add(e.code, e.message, e.global);
    else if (e instanceof Truncated)
      m.add('PICKLE_TRUNCATED', `the pickle ends inside an opcode (byte ${e.at})`);
    else throw e;
    return { complete: false, end: cur.pos, top: null, globals: m.globals };
  }
}
