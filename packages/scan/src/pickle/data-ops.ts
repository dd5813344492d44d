import { Halt, type Machine } from './machine.ts';
import { latin1Text, pyStringLiteral, rawUnicodeEscape, utf8Strict } from './text-args.ts';
import * as V from './values.ts';

/**
 * The opcodes that only push data or touch the memo: constants, strings, bytes. Returns false for
 * any other opcode. Strings are kept (short ones) because STACK_GLOBAL takes its names from them.
 */
export function dataOp(op: number, m: Machine): boolean {
  const cur = m.cur;
  switch (op) {
    case 0x4e: // NONE
      m.push(V.NONE);
      return true;
    case 0x88: // NEWTRUE
    case 0x89: // NEWFALSE
      m.push(V.BOOL);
      return true;
    case 0x49: // INT ("01"/"00" are True/False in protocol 0)
      m.push({ k: 'int', v: m.decimal(false) });
      return true;
    case 0x4c: // LONG
      m.push({ k: 'int', v: m.decimal(true) });
      return true;
    case 0x4a: // BININT
      m.push({ k: 'int', v: BigInt(cur.i32()) });
      return true;
    case 0x4b: // BININT1
      m.push({ k: 'int', v: BigInt(cur.u8()) });
      return true;
    case 0x4d: // BININT2
      m.push({ k: 'int', v: BigInt(cur.u16()) });
      return true;
    case 0x8a: // LONG1
    case 0x8b: {
      // LONG4
      const n = op === 0x8a ? cur.u8() : cur.i32();
      if (n < 0) throw new Halt('PICKLE_BAD_ARGUMENT', 'LONG4 with a negative length');
      if (n <= 64) m.push({ k: 'int', v: V.decodeLong(cur.bytes(n)) });
      else {
        m.skipBytes(n);
        m.push({ k: 'int', v: null });
      }
      return true;
    }
    case 0x46: // FLOAT
      m.textLine();
      m.push(V.FLOAT);
      return true;
    case 0x47: // BINFLOAT
      cur.skip(8);
      m.push(V.FLOAT);
      return true;
    case 0x53: // STRING
      m.push({ k: 'str', v: pyStringLiteral(m.textLine()) });
      return true;
    case 0x56: // UNICODE
      m.push({ k: 'str', v: rawUnicodeEscape(m.textLine()) });
      return true;
    case 0x54: {
      // BINSTRING: a str under pickle.load's default ASCII encoding
      const n = cur.i32();
      if (n < 0) throw new Halt('PICKLE_BAD_ARGUMENT', 'BINSTRING with a negative length');
      m.push(m.lengthString(n, latin1Text));
      return true;
    }
    case 0x55: // SHORT_BINSTRING
      m.push(m.lengthString(cur.u8(), latin1Text));
      return true;
    case 0x58: // BINUNICODE
      m.push(m.lengthString(cur.u32(), utf8Strict));
      return true;
    case 0x8c: // SHORT_BINUNICODE
      m.push(m.lengthString(cur.u8(), utf8Strict));
      return true;
    case 0x8d: // BINUNICODE8
      m.push(m.lengthString(cur.u64(), utf8Strict));
      return true;
    case 0x42: // BINBYTES
      m.push(m.skipBytes(cur.u32()));
      return true;
    case 0x43: // SHORT_BINBYTES
      m.push(m.skipBytes(cur.u8()));
      return true;
    case 0x8e: // BINBYTES8
      m.push(m.skipBytes(cur.u64()));
      return true;
    case 0x96: // BYTEARRAY8
      m.skipBytes(cur.u64());
      m.push(V.BYTEARRAY);
      return true;
    case 0x70: // PUT
      m.memoPut(Number(m.decimal(false)));
      return true;
    case 0x71: // BINPUT
      m.memoPut(cur.u8());
      return true;
    case 0x72: // LONG_BINPUT
      m.memoPut(cur.u32());
      return true;
    case 0x94: // MEMOIZE
      m.memoPut(m.memo.size);
      return true;
    case 0x67: // GET
      m.memoGet(Number(m.decimal(false)));
      return true;
    case 0x68: // BINGET
      m.memoGet(cur.u8());
      return true;
    case 0x6a: // LONG_BINGET
      m.memoGet(cur.u32());
      return true;
    default:
      return false;
  }
}
