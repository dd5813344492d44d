import { InputError } from './errors.ts';

// Not `import`: an ES import of node:crypto builds its ES facade, which reads every export and so
// loads WebCrypto (~3 ms per thread, `--cpu-prof`). The CommonJS module has the same functions.
const { createHash, timingSafeEqual } = process.getBuiltinModule('node:crypto');

const HEX_RE = /^(?:[0-9a-f]{2})*$/;

export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

export function fromHex(s: string, what = 'hex value'): Uint8Array {
  const lower = s.toLowerCase();
  if (!HEX_RE.test(lower)) throw new InputError({ code: 'BAD_HEX', message: `${what} is not valid hex` });
  return new Uint8Array(Buffer.from(lower, 'hex'));
}

export function toBase64(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');
}

/**
 * Strict: Buffer.from(s, 'base64') silently skips garbage, which would hide tampering. Decoding and
 * re-encoding is linear; a validating regex overflowed the stack on multi-megabyte payloads.
 */
export function fromBase64(s: string, what = 'base64 value'): Uint8Array {
  const compact = s.replace(/\s+/g, '');
  for (const encoding of ['base64', 'base64url'] as const) {
    const bytes = Buffer.from(compact, encoding);
    if (bytes.toString(encoding) === compact) return new Uint8Array(bytes);
  }
  throw new InputError({ code: 'BAD_BASE64', message: `${what} is not valid base64` });
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

export function sha256(data: Uint8Array | string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(data).digest());
}

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && timingSafeEqual(a, b);
}
