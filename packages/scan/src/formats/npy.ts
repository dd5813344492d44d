import type { ReadAt } from '../reader.ts';

/**
 * NumPy .npy: "\x93NUMPY", version, a header length, then a Python dict literal with descr,
 * fortran_order and shape. Plain dtypes are followed by exactly shape x itemsize bytes; an object
 * dtype ("O") is followed by a pickle, which np.load(allow_pickle=True) unpickles.
 */
export type NpyHeader =
  | {
      readonly ok: true;
      readonly dataOffset: number;
      readonly object: boolean;
      readonly dataBytes: bigint | null;
    }
  | { readonly ok: false; readonly message: string };

export const isNpy = (head: Uint8Array): boolean =>
  head.byteLength >= 10 &&
  head[0] === 0x93 &&
  Buffer.from(head.buffer, head.byteOffset + 1, 5).toString('latin1') === 'NUMPY';

const ITEM: Readonly<Record<string, number>> = {
  b: 1,
  '?': 1,
  i: 0,
  u: 0,
  f: 0,
  c: 0,
  S: 1,
  U: 4,
  V: 1,
  m: 0,
  M: 0,
};

export function readNpyHeader(r: ReadAt): NpyHeader {
  const pre = r.read(0, 12);
  const major = pre[6];
  if (major !== 1 && major !== 2 && major !== 3) return { ok: false, message: `format version ${major}` };
  const wide = major !== 1;
  const len = wide
    ? pre[8]! | (pre[9]! << 8) | (pre[10]! << 16) | (pre[11]! << 24)
    : pre[8]! | (pre[9]! << 8);
  const start = wide ? 12 : 10;
  if (len > 1 << 20 || start + len > r.size)
    return { ok: false, message: `header of ${len} bytes does not fit` };
  const raw = r.read(start, len);
  const text = (major === 3 ? new TextDecoder().decode(raw) : Buffer.from(raw).toString('latin1')).trim();
  const descr = /['"]descr['"]\s*:\s*(['"])([^'"]*)\1/.exec(text);
  const shape = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(text);
  if (!/^\{.*\}$/s.test(text) || !shape || !/['"]fortran_order['"]\s*:\s*(True|False)/.test(text)) {
    return { ok: false, message: 'header is not a {descr, fortran_order, shape} dict' };
  }
  const dims = shape[1]!
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (!dims.every((d) => /^\d+L?$/.test(d)))
    return { ok: false, message: `shape (${shape[1]}) is not integers` };
  const dataOffset = start + len;
  // a structured dtype (a list of fields) is object-bearing if any field is "O"
  const object = /['"][<>|=]?O\d*['"]/.test(text.replace(/['"](descr|shape|fortran_order)['"]/g, ''));
  if (object) return { ok: true, dataOffset, object: true, dataBytes: null };
  if (!descr) return { ok: true, dataOffset, object: false, dataBytes: null };
  const m = /^[<>|=]?([a-zA-Z?])(\d*)(\[\w+\])?$/.exec(descr[2]!);
  const kind = m?.[1];
  if (!m || kind === undefined || ITEM[kind] === undefined)
    return { ok: false, message: `dtype ${descr[2]} is unknown` };
  const width = m[2] === '' ? 1 : Number(m[2]);
  const itemsize = ITEM[kind] === 0 ? width : ITEM[kind]! * width;
  const count = dims.reduce((a, d) => a * BigInt(d.replace('L', '')), 1n);
  return { ok: true, dataOffset, object: false, dataBytes: count * BigInt(itemsize) };
}
