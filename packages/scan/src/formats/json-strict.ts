/**
 * A JSON parser that refuses what JSON.parse lets through silently: duplicate keys (JSON.parse keeps
 * the last one, other readers the first, so two tools can see two different files), nesting past a
 * bound, and anything after the value. Objects have no prototype, so `__proto__` is just a key.
 */
export class JsonError extends Error {
  readonly kind: 'syntax' | 'duplicate' | 'depth';
  constructor(kind: 'syntax' | 'duplicate' | 'depth', message: string) {
    super(message);
    this.kind = kind;
  }
}

const LITERALS: readonly (readonly [string, boolean | null])[] = [
  ['true', true],
  ['false', false],
  ['null', null],
];

export function parseStrictJson(text: string, maxDepth = 64): unknown {
  let i = 0;
  const ws = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t'))
      i++;
  };
  const fail = (what: string): never => {
    throw new JsonError('syntax', `${what} at character ${i}`);
  };
  const str = (): string => {
    const start = ++i;
    let out = '';
    let chunk = start;
    for (;;) {
      if (i >= text.length) fail('unterminated string');
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        out += text.slice(chunk, i++);
        return out;
      }
      if (c < 0x20) fail('control character in string');
      if (c === 0x5c) {
        out += text.slice(chunk, i);
        const e = text[i + 1];
        const simple: Record<string, string> = {
          '"': '"',
          '\\': '\\',
          '/': '/',
          b: '\b',
          f: '\f',
          n: '\n',
          r: '\r',
          t: '\t',
        };
        if (e !== undefined && simple[e] !== undefined) {
          out += simple[e];
          i += 2;
        } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
          out += String.fromCharCode(Number.parseInt(text.slice(i + 2, i + 6), 16));
          i += 6;
        } else fail('bad escape');
        chunk = i;
      } else i++;
    }
  };
  const num = (): number => {
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m) fail('bad number');
    i += m![0].length;
    return Number(m![0]);
  };
  const value = (depth: number): unknown => {
    if (depth > maxDepth) throw new JsonError('depth', `nesting deeper than ${maxDepth}`);
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const obj: Record<string, unknown> = Object.create(null);
      ws();
      if (text[i] === '}') {
        i++;
        return obj;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected a key');
        const k = str();
        if (Object.hasOwn(obj, k)) throw new JsonError('duplicate', `duplicate key ${JSON.stringify(k)}`);
        ws();
        if (text[i++] !== ':') fail('expected ":"');
        obj[k] = value(depth + 1);
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') {
          i++;
          return obj;
        } else fail('expected "," or "}"');
      }
    }
    if (c === '[') {
      i++;
      const arr: unknown[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return arr;
      }
      for (;;) {
        arr.push(value(depth + 1));
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') {
          i++;
          return arr;
        } else fail('expected "," or "]"');
      }
    }
    if (c === '"') return str();
    for (const [word, v] of LITERALS) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return v;
      }
    }
    return num();
  };
  const v = value(0);
  ws();
  if (i !== text.length) fail('data after the JSON value');
  return v;
}

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
