import { InputError } from './errors.ts';

export interface JsonLimits {
  /** bytes; a bundle is a few KiB, a manifest of 100k files a few tens of MiB */
  maxBytes?: number;
  maxDepth?: number;
}

const DEFAULTS = { maxBytes: 64 * 1024 * 1024, maxDepth: 64 } as const;

/** one decoder for every call (decode without `stream` keeps no state between calls) */
const UTF8 = new TextDecoder('utf-8', { fatal: false });

/**
 * JSON.parse with the limits an untrusted file needs: size is checked before parsing and depth
 * after, so a hostile file fails with a code instead of exhausting memory or the stack.
 */
export function parseJson(text: string | Uint8Array, what: string, limits: JsonLimits = {}): unknown {
  const maxBytes = limits.maxBytes ?? DEFAULTS.maxBytes;
  const maxDepth = limits.maxDepth ?? DEFAULTS.maxDepth;
  const size = typeof text === 'string' ? Buffer.byteLength(text) : text.byteLength;
  if (size > maxBytes) {
    throw new InputError({
      code: 'JSON_TOO_LARGE',
      message: `${what} is ${size} bytes, over the ${maxBytes}-byte limit`,
      details: { size, maxBytes },
    });
  }
  const str = typeof text === 'string' ? text : UTF8.decode(text);
  if (str.trim() === '') throw new InputError({ code: 'JSON_EMPTY', message: `${what} is empty` });
  let value: unknown;
  try {
    value = JSON.parse(str);
  } catch (e) {
    throw new InputError({
      code: 'JSON_MALFORMED',
      message: `${what} is not valid JSON (${(e as Error).message}); is the file truncated?`,
      cause: e,
    });
  }
  if (depthExceeds(value, maxDepth)) {
    throw new InputError({ code: 'JSON_TOO_DEEP', message: `${what} nests deeper than ${maxDepth} levels` });
  }
  return value;
}

/** Recursion is bounded by `max` (it stops there), so a hostile nesting cannot exhaust the stack. */
function depthExceeds(v: unknown, max: number, d = 0): boolean {
  if (v === null || typeof v !== 'object') return false;
  if (d >= max) return true;
  for (const child of Array.isArray(v) ? v : Object.values(v))
    if (depthExceeds(child, max, d + 1)) return true;
  return false;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
