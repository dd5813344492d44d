import type { ReadAt } from '../reader.ts';

/** ustar/GNU/pax tar members, as windows onto the archive (nothing copied). */
export interface TarMember {
  readonly name: string;
  readonly offset: number;
  readonly size: number;
}

export interface TarListing {
  readonly members: readonly TarMember[];
  /** link entries: harmless to a loader, dangerous to whoever extracts the archive */
  readonly links: readonly string[];
}

export class TarError extends Error {}

const latin1 = {
  decode: (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1'),
};
const field = (b: Uint8Array, o: number, n: number): string => {
  const s = latin1.decode(b.subarray(o, o + n));
  const z = s.indexOf('\0');
  return z < 0 ? s : s.slice(0, z);
};
const octal = (b: Uint8Array, o: number, n: number): number => {
  if (b[o]! & 0x80) {
    // GNU base-256 for sizes past 8 GiB
    let v = 0;
    for (let i = 1; i < n; i++) v = v * 256 + b[o + i]!;
    return v;
  }
  const s = field(b, o, n).trim();
  if (!/^[0-7]*$/.test(s)) throw new TarError(`bad octal field ${JSON.stringify(s)}`);
  return s === '' ? 0 : Number.parseInt(s, 8);
};

export const isTar = (head: Uint8Array): boolean =>
  head.byteLength >= 263 && latin1.decode(head.subarray(257, 262)) === 'ustar';

export function listTar(r: ReadAt, maxEntries: number): TarListing {
  const members: TarMember[] = [];
  const links: string[] = [];
  let pos = 0;
  let longName: string | null = null;
  let paxPath: string | null = null;
  let paxSize: number | null = null;
  while (pos + 512 <= r.size) {
    const h = r.read(pos, 512);
    if (h.every((x) => x === 0)) return { members, links };
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
    if (octal(h, 148, 8) !== sum) throw new TarError(`header checksum mismatch at byte ${pos}`);
    const type = String.fromCharCode(h[156]!);
    const prefix = field(h, 345, 155);
    const base = field(h, 0, 100);
    const name = longName ?? paxPath ?? (prefix ? `${prefix}/${base}` : base);
    const size = paxSize ?? octal(h, 124, 12);
    const data = pos + 512;
    if (data + size > r.size) throw new TarError(`member ${name} runs past the end`);
    longName = null;
    if (type === 'L') longName = field(r.read(data, Math.min(size, 4096)), 0, size);
    else if (type === 'x') [paxPath, paxSize] = pax(r.read(data, Math.min(size, 1 << 20)));
    else {
      paxPath = null;
      paxSize = null;
      if (type === '0' || type === '\0' || type === '7') members.push({ name, offset: data, size });
      else if (type === '1' || type === '2') links.push(name);
      if (members.length + links.length > maxEntries) throw new TarError(`more than ${maxEntries} entries`);
    }
    pos = data + Math.ceil(size / 512) * 512;
  }
  throw new TarError('archive ends without its end-of-archive blocks');
}

function pax(b: Uint8Array): [string | null, number | null] {
  let path: string | null = null;
  let size: number | null = null;
  for (const rec of new TextDecoder().decode(b).split('\n')) {
    const m = /^\d+ (path|size)=(.*)$/.exec(rec);
    if (m?.[1] === 'path') path = m[2]!;
    if (m?.[1] === 'size' && /^\d+$/.test(m[2]!)) size = Number(m[2]);
  }
  return [path, size];
}
