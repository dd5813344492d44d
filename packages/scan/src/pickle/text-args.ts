/** Decoders for the newline-terminated arguments of protocol 0 opcodes. */

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function utf8Strict(b: Uint8Array): string | null {
  try {
    return utf8.decode(b);
  } catch {
    return null;
  }
}

/** Python's latin-1 (TextDecoder's 'latin1' is windows-1252, which differs in 0x80-0x9f) */
export const latin1Text = (b: Uint8Array): string =>
  Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');

/** INT/LONG/GET/PUT lines: an optional sign and decimal digits (LONG adds a trailing L). */
export function decimalLine(b: Uint8Array, long: boolean): bigint | null {
  let s = latin1Text(b).trim();
  if (long && s.endsWith('L')) s = s.slice(0, -1);
  if (!/^[+-]?\d{1,4300}$/.test(s)) return null;
  return BigInt(s);
}

/**
 * STRING's argument is a Python repr: quoted, with backslash escapes. Returns null for anything
 * unusual, which makes the value non-constant: such a string can never name a global.
 */
export function pyStringLiteral(b: Uint8Array): string | null {
  const s = latin1Text(b);
  if (s.length < 2) return null;
  const q = s[0];
  if ((q !== "'" && q !== '"') || s[s.length - 1] !== q) return null;
  const body = s.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const n = body[++i];
    if (n === undefined) return null;
    const simple: Record<string, string> = {
      '\\': '\\',
      "'": "'",
      '"': '"',
      n: '\n',
      t: '\t',
      r: '\r',
      '0': '\0',
    };
    if (simple[n] !== undefined) out += simple[n];
    else if (n === 'x' && /^[0-9a-fA-F]{2}$/.test(body.slice(i + 1, i + 3))) {
      out += String.fromCharCode(Number.parseInt(body.slice(i + 1, i + 3), 16));
      i += 2;
    } else return null;
  }
  return out;
}

/** UNICODE's argument is raw-unicode-escape: latin-1 bytes plus \uXXXX and \UXXXXXXXX. */
export function rawUnicodeEscape(b: Uint8Array): string | null {
  const s = latin1Text(b);
  let out = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\' && (s[i + 1] === 'u' || s[i + 1] === 'U')) {
      const len = s[i + 1] === 'u' ? 4 : 8;
      const hex = s.slice(i + 2, i + 2 + len);
      if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex)) return null;
      const cp = Number.parseInt(hex, 16);
      if (cp > 0x10ffff) return null;
      out += String.fromCodePoint(cp);
      i += 1 + len;
    } else out += s[i];
  }
  return out;
}
