import type { Finding, FindingCode, Findings } from '../findings.ts';
import { canonicalGlobal, isBlockedModule, type Profile } from '../profile.ts';
import { type Cursor, Truncated } from '../reader.ts';
import { decimalLine, utf8Strict } from './text-args.ts';
import * as V from './values.ts';

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

/** Ends the walk: past a structural error nothing the stream does can be known. */
export class Halt extends Error {
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

/** The abstract unpickler state: stack, marks, memo, imports, and the checks on each. */
export class Machine {
  readonly cur: Cursor;
  readonly globals: string[] = [];
  stack: V.Value[] = [];
  readonly marks: V.Value[][] = [];
  /** values on the stack and under marks */
  held = 0;
  readonly memo = new Map<number, V.Value>();
  opStart = 0;
  private readonly seen = new Set<string>();
  private readonly limits: PickleLimits;
  private readonly profile: Profile;
  private readonly findings: Findings;
  private readonly member: string | undefined;

  constructor(
    cur: Cursor,
    profile: Profile,
    findings: Findings,
    limits: PickleLimits,
    member: string | undefined,
  ) {
    this.cur = cur;
    this.profile = profile;
    this.findings = findings;
    this.limits = limits;
    this.member = member;
  }

  add(code: FindingCode, message: string, global?: string): void {
    const f: Finding = { code, message, offset: this.opStart, ...(global ? { global } : {}) };
    this.findings.add(this.member === undefined ? f : { ...f, member: this.member });
  }

  push(v: V.Value): void {
    if (++this.held > this.limits.maxStack) {
      throw new Halt('PICKLE_LIMIT_STACK', `more than ${this.limits.maxStack} values held`);
    }
    this.stack.push(v);
  }

  pop(): V.Value {
    const v = this.stack.pop();
    if (v === undefined) throw new Halt('PICKLE_STACK_UNDERFLOW', 'an opcode pops an empty stack');
    this.held--;
    return v;
  }

  top(): V.Value {
    const v = this.stack[this.stack.length - 1];
    if (v === undefined)
      throw new Halt('PICKLE_STACK_UNDERFLOW', 'an opcode needs a value on an empty stack');
    return v;
  }

  mark(): void {
    if (this.marks.length >= this.limits.maxDepth) {
      throw new Halt('PICKLE_LIMIT_DEPTH', `MARKs nest deeper than ${this.limits.maxDepth}`);
    }
    this.marks.push(this.stack);
    this.stack = [];
  }

  popMark(): V.Value[] {
    const items = this.stack;
    const below = this.marks.pop();
    if (below === undefined)
      throw new Halt('PICKLE_MARK_MISSING', 'an opcode needs a MARK that was never set');
    this.stack = below;
    this.held -= items.length;
    return items;
  }

  memoPut(i: number): void {
    if (i < 0 || !Number.isSafeInteger(i))
      throw new Halt('PICKLE_BAD_ARGUMENT', `memo index ${i} is invalid`);
    if (this.memo.has(i)) throw new Halt('PICKLE_MEMO_OVERWRITE', `memo slot ${i} is written twice`);
    if (this.memo.size >= this.limits.maxMemo) {
      throw new Halt('PICKLE_LIMIT_MEMO', `more than ${this.limits.maxMemo} memo slots`);
    }
    this.memo.set(i, this.top());
  }

  memoGet(i: number): void {
    const v = this.memo.get(i);
    if (v === undefined)
      throw new Halt('PICKLE_MEMO_MISSING', `memo slot ${i} is read but was never written`);
    this.push(v);
  }

  /** The import itself is the check: importing a module runs its code. */
  importGlobal(module: string, name: string): V.Value {
    const raw = `${module}.${name}`;
    if (!this.seen.has(raw)) {
      this.seen.add(raw);
      this.globals.push(raw);
      if (isBlockedModule(module) || !this.profile.globals.has(canonicalGlobal(module, name))) {
        this.add(
          'GLOBAL_NOT_ALLOWED',
          `imports ${raw}, which profile ${this.profile.name} does not allow`,
          raw,
        );
      }
    }
    return { k: 'global', name: raw };
  }

  /** Only an imported (and so checked) global may be called. */
  call(callable: V.Value, via: string): V.Value {
    if (callable.k !== 'global') {
      this.add('PICKLE_CALL_TARGET', `${via} calls ${V.describe(callable)}, not an imported global`);
      return V.UNKNOWN;
    }
    return { k: 'instance', of: callable.name };
  }

  mutate(target: V.Value, kind: 'list' | 'dict' | 'set', via: string): void {
    if (target.k !== kind && target.k !== 'instance')
      this.add('PICKLE_TARGET_TYPE', `${via} applied to ${V.describe(target)}`);
  }

  nameLine(): string {
    const b = this.cur.line(MAX_NAME_LINE);
    const s = b === null ? null : utf8Strict(b);
    if (s === null) throw new Halt('PICKLE_BAD_ARGUMENT', 'a GLOBAL/INST name is not a UTF-8 line');
    return s;
  }

  textLine(): Uint8Array {
    const b = this.cur.line(MAX_TEXT_LINE);
    if (b === null)
      throw new Halt('PICKLE_BAD_ARGUMENT', `a text argument is longer than ${MAX_TEXT_LINE} bytes`);
    return b;
  }

  decimal(long: boolean): bigint {
    const n = decimalLine(this.textLine(), long);
    if (n === null) throw new Halt('PICKLE_BAD_ARGUMENT', 'a decimal argument is malformed');
    return n;
  }

  /** A length-prefixed string: kept only when short enough to name a global. */
  lengthString(n: number, decode: (b: Uint8Array) => string | null): V.Value {
    if (n > this.cur.remaining) throw new Truncated(this.cur.end);
    if (n > V.MAX_KEPT_STRING) {
      this.cur.skip(n);
      return V.LONG_STR;
    }
    return { k: 'str', v: decode(this.cur.bytes(n)) };
  }

  skipBytes(n: number): V.Value {
    if (n > this.cur.remaining) throw new Truncated(this.cur.end);
    this.cur.skip(n);
    return V.BYTES;
  }
}
