/**
 * What the symbolic walk keeps for each stack or memo slot: enough to know whether a value is a
 * string constant (STACK_GLOBAL operands), an imported global (the only thing that may be called), an
 * instance made by calling one (the only thing BUILD may touch), or a plain container.
 */
export type Value =
  | { readonly k: 'str'; readonly v: string | null }
  | { readonly k: 'int'; readonly v: bigint | null }
  | { readonly k: 'bytes' | 'float' | 'bool' | 'none' | 'bytearray' | 'buffer' | 'persistent' | 'unknown' }
  | { readonly k: 'list' | 'dict' | 'set' | 'frozenset' }
  | { readonly k: 'tuple'; readonly items: readonly Value[] }
  | { readonly k: 'global'; readonly name: string }
  | { readonly k: 'instance'; readonly of: string };

export const NONE: Value = { k: 'none' };
export const BOOL: Value = { k: 'bool' };
export const FLOAT: Value = { k: 'float' };
export const BYTES: Value = { k: 'bytes' };
export const BYTEARRAY: Value = { k: 'bytearray' };
export const BUFFER: Value = { k: 'buffer' };
export const UNKNOWN: Value = { k: 'unknown' };
export const PERSISTENT: Value = { k: 'persistent' };
export const LIST: Value = { k: 'list' };
export const DICT: Value = { k: 'dict' };
export const SET: Value = { k: 'set' };
export const FROZENSET: Value = { k: 'frozenset' };
export const EMPTY_TUPLE: Value = { k: 'tuple', items: [] };
export const LONG_STR: Value = { k: 'str', v: null };

/** Strings longer than this are not kept: no module or qualname is that long. */
export const MAX_KEPT_STRING = 1024;

export function describe(v: Value): string {
  switch (v.k) {
    case 'global':
      return `the global ${v.name}`;
    case 'instance':
      return `an instance of ${v.of}`;
    case 'str':
      return v.v === null ? 'a long string' : `the string ${JSON.stringify(v.v.slice(0, 40))}`;
    default:
      return v.k === 'unknown' ? 'a value the walk cannot know' : `a ${v.k}`;
  }
}

/** Python's int.from_bytes(b, 'little', signed=True), as LONG1/LONG4 encode integers. */
export function decodeLong(b: Uint8Array): bigint {
  if (b.byteLength === 0) return 0n;
  let n = 0n;
  for (let i = b.byteLength - 1; i >= 0; i--) n = (n << 8n) | BigInt(b[i]!);
  if (b[b.byteLength - 1]! & 0x80) n -= 1n << BigInt(8 * b.byteLength);
  return n;
}
