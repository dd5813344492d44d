import { describe, expect, it } from 'vitest';
import { bytesReader, type FindingCode, scanFile } from '../src/index.ts';
import { cat, P, u32 } from './builders.ts';

const codes = (bytes: Uint8Array): FindingCode[] =>
  scanFile('x.pkl', bytesReader(bytes)).findings.map((f) => f.code);

/** wall time and heap growth of one scan: hostile input must stay bounded */
function bounded(bytes: Uint8Array): { ms: number; heapMiB: number; codes: FindingCode[] } {
  const heap0 = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const c = codes(bytes);
  return {
    ms: performance.now() - t0,
    heapMiB: (process.memoryUsage().heapUsed - heap0) / 2 ** 20,
    codes: c,
  };
}

describe('pickle structure', () => {
  it('a plain list of strings passes, in every protocol framing', () => {
    expect(
      codes(cat(P.proto(4), P.frame(8), P.emptyList, P.shortBinunicode('abc'), P.append, P.stop)),
    ).toEqual([]);
    expect(codes(cat('(lp0\nVa\np1\na.'))).toEqual([]);
  });

  it.each([
    ['a second PROTO', cat(P.proto(2), P.proto(2), P.none, P.stop), 'PICKLE_PROTO_REPEATED'],
    ['protocol 6', cat(P.proto(6), P.none, P.stop), 'PICKLE_PROTO_UNSUPPORTED'],
    ['a FRAME past the end', cat(P.proto(4), P.frame(1000), P.none, P.stop), 'PICKLE_FRAME_BAD'],
    [
      'an opcode across its frame',
      cat(P.proto(4), P.frame(2), P.shortBinunicode('abc'), P.stop),
      'PICKLE_FRAME_BAD',
    ],
    ['a FRAME inside a frame', cat(P.proto(4), P.frame(20), P.frame(1), P.none, P.stop), 'PICKLE_FRAME_BAD'],
    ['data after STOP', cat(P.proto(2), P.none, P.stop, 'garbage'), 'PICKLE_TRAILING_DATA'],
    ['GET of a slot never PUT', cat(P.proto(2), P.binget(7), P.stop), 'PICKLE_MEMO_MISSING'],
    [
      'a memo slot written twice',
      cat(P.proto(2), P.none, P.binput(0), P.binput(0), P.stop),
      'PICKLE_MEMO_OVERWRITE',
    ],
    ['an unknown opcode', cat(P.proto(2), [0xff], P.stop), 'PICKLE_OPCODE_UNKNOWN'],
    ['a truncated stream', cat(P.proto(2), [0x58, ...u32(100)], 'abc'), 'PICKLE_TRUNCATED'],
    ['no STOP', cat(P.proto(2), P.none), 'PICKLE_TRUNCATED'],
    ['STOP on an empty stack', cat(P.proto(2), P.stop), 'PICKLE_STACK_UNDERFLOW'],
    ['values left behind', cat(P.proto(2), P.none, P.none, P.stop), 'PICKLE_STACK_LEFTOVER'],
    ['APPENDS without MARK', cat(P.proto(2), P.emptyList, [0x65], P.stop), 'PICKLE_MARK_MISSING'],
    ['EXT1', cat(P.proto(2), [0x82, 1], P.stop), 'PICKLE_EXT'],
    ['an out-of-band buffer', cat(P.proto(5), [0x97], P.stop), 'PICKLE_OUT_OF_BAND'],
  ])('%s is a coded failure', (_, bytes, code) => {
    expect(codes(bytes)).toContain(code);
  });

  it('STACK_GLOBAL resolves string constants through the memo, and fails on anything else', () => {
    const viaMemo = cat(
      P.proto(4),
      P.shortBinunicode('os'),
      P.memoize,
      P.shortBinunicode('system'),
      P.memoize,
      P.pop,
      P.pop,
      P.binget(0),
      P.binget(1),
      P.stackGlobal,
      P.stop,
    );
    expect(scanFile('x', bytesReader(viaMemo)).findings[0]).toMatchObject({
      code: 'GLOBAL_NOT_ALLOWED',
      global: 'os.system',
    });
    const fromCall = cat(
      P.proto(4),
      P.global('collections', 'OrderedDict'),
      P.emptyTuple,
      P.reduce,
      P.shortBinunicode('x'),
      P.stackGlobal,
      P.stop,
    );
    expect(codes(fromCall)).toEqual(['PICKLE_STACK_GLOBAL_NONCONST']);
  });

  it('BUILD on a global (rewriting a module attribute) and calls of non-globals are findings', () => {
    const build = cat(P.proto(2), P.global('torch', 'Tensor'), P.emptyDict, P.build, P.stop);
    expect(codes(build)).toEqual(['PICKLE_BUILD_TARGET']);
    const callList = cat(P.proto(2), P.emptyList, P.emptyTuple, P.reduce, P.stop);
    expect(codes(callList)).toEqual(['PICKLE_CALL_TARGET']);
    const setOnList = cat(P.proto(2), P.emptyList, P.none, P.none, [0x73], P.stop);
    expect(codes(setOnList)).toEqual(['PICKLE_TARGET_TYPE']);
  });

  it('INST and OBJ import and call like GLOBAL + REDUCE', () => {
    expect(scanFile('x', bytesReader(cat("(S'ls'\nios\nsystem\n."))).findings[0]).toMatchObject({
      global: 'os.system',
    });
    const obj = cat(P.proto(1), P.mark, P.global('subprocess', 'Popen'), P.binunicode('ls'), [0x6f], P.stop);
    expect(scanFile('x', bytesReader(obj)).findings[0]).toMatchObject({ global: 'subprocess.Popen' });
  });
});

describe('hostile pickles stay bounded', () => {
  it('a memo bomb (2 million PUTs) stops at the memo limit', () => {
    const n = 2_000_000;
    const puts = new Uint8Array(5 * n);
    for (let i = 0; i < n; i++) puts.set(P.longBinput(i), 5 * i);
    const r = bounded(cat(P.proto(4), P.none, puts, P.stop));
    expect(r.codes).toEqual(['PICKLE_LIMIT_MEMO']);
    expect(r.ms).toBeLessThan(15_000);
  });

  it('a stack bomb (DUP x 2 million) stops at the stack limit', () => {
    const r = bounded(cat(P.proto(2), P.none, new Uint8Array(2_000_000).fill(0x32), P.stop));
    expect(r.codes).toEqual(['PICKLE_LIMIT_STACK']);
    expect(r.ms).toBeLessThan(5000);
    expect(r.heapMiB).toBeLessThan(200);
  });

  it('10,000-deep nesting is walked without recursion and passes', () => {
    const depth = 10_000;
    const r = bounded(
      cat(
        P.proto(2),
        new Uint8Array(depth).fill(0x28),
        P.emptyList,
        new Uint8Array(depth).fill(0x74),
        P.stop,
      ),
    );
    expect(r.codes).toEqual([]);
    expect(r.ms).toBeLessThan(2000);
  });

  it('MARKs nested past the limit are a coded failure', () => {
    expect(codes(cat(P.proto(2), new Uint8Array(200_000).fill(0x28)))).toEqual(['PICKLE_LIMIT_DEPTH']);
  });

  it('a billion-laughs tuple tower (each level references the last twice) is linear', () => {
    const parts: number[][] = [P.proto(2), P.emptyList, P.binput(0)];
    for (let i = 1; i < 200; i++) parts.push(P.binget(i - 1), P.binget(i - 1), P.tuple2, P.binput(i), P.pop);
    const r = bounded(cat(...parts, P.stop));
    expect(r.codes).toEqual([]);
    expect(r.ms).toBeLessThan(1000);
  });

  it('a string claiming 2^60 bytes is a truncation, not an allocation', () => {
    expect(codes(cat(P.proto(4), [0x8d, 0, 0, 0, 0, 0, 0, 0, 0x10], 'x'))).toEqual(['PICKLE_TRUNCATED']);
  });
});
