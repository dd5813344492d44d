import { bytesReader, Cursor, type ReadAt, Truncated } from '../reader.ts';
import { ProtoError, skipValue, tag, utf8, varint } from './protobuf.ts';

/**
 * A TensorFlow checkpoint's `variables.index`: a table in TensorFlow's LevelDB-derived format
 * (tensorflow/core/lib/io/table.cc, format.cc) mapping each tensor name to a BundleEntryProto
 * (tensor_bundle.proto: shard, offset, size in `variables.data-NNNNN-of-NNNNN`), plus a header
 * under the empty key with the shard count. It is data; what the scan needs from it is which byte
 * ranges of which data files hold tensors, so those files can be accepted as raw tensor bytes.
 */
const MAGIC = [0x57, 0xfb, 0x80, 0x8b, 0x24, 0x75, 0x47, 0xdb];
const FOOTER = 48;
const TRAILER = 5;
const MAX_BLOCK = 64 << 20;
const MAX_ENTRIES = 1_000_000;
const MAX_SHARDS = 100_000;

export interface BundleIndex {
  readonly numShards: number;
  /** per shard: where its last tensor ends (the data file's expected size) */
  readonly extents: readonly number[];
}

export function isTfTable(r: ReadAt): boolean {
  if (r.size < FOOTER) return false;
  const tail = r.read(r.size - 8, 8);
  return MAGIC.every((b, i) => tail[i] === b);
}

interface Handle {
  readonly offset: number;
  readonly size: number;
}

function handle(cur: Cursor): Handle {
  return { offset: varint(cur), size: varint(cur) };
}

/** A block's entries (prefix-compressed keys), in order. */
function blockEntries(
  r: ReadAt,
  h: Handle,
  limit: number,
  budget: { bytes: number },
): { key: string; value: Uint8Array }[] {
  if (h.size > MAX_BLOCK || h.size < 4) throw new ProtoError(`a block of ${h.size} bytes`);
  // blocks of a table never share bytes: reading more than the file holds means handles repeat
  budget.bytes -= h.size + TRAILER;
  if (budget.bytes < 0) throw new ProtoError('block handles overlap or repeat');
  if (h.offset + h.size + TRAILER > r.size - FOOTER) throw new ProtoError('a block lies outside the table');
  const b = r.read(h.offset, h.size + TRAILER);
  if (b[h.size] !== 0) throw new ProtoError(`a block compressed with method ${b[h.size]}, which is not read`);
  const dv = new DataView(b.buffer, b.byteOffset, h.size);
  const restarts = dv.getUint32(h.size - 4, true);
  const dataEnd = h.size - 4 - restarts * 4;
  if (restarts === 0 || dataEnd < 0) throw new ProtoError('a block with a bad restart array');
  const cur = new Cursor(bytesReader(b), 0, dataEnd);
  const out: { key: string; value: Uint8Array }[] = [];
  let prev = new Uint8Array(0);
  while (cur.remaining > 0) {
    if (out.length >= limit) throw new ProtoError(`more than ${MAX_ENTRIES} entries`);
    const shared = varint(cur);
    const own = varint(cur);
    const vlen = varint(cur);
    if (shared > prev.byteLength) throw new ProtoError('a key shares more bytes than the previous key has');
    const delta = cur.bytes(own); // throws when it runs past the block, before anything is allocated
    const key = new Uint8Array(shared + own);
    key.set(prev.subarray(0, shared));
    key.set(delta, shared);
    const value = cur.bytes(vlen).slice();
    out.push({ key: utf8.decode(key), value });
    prev = key;
  }
  return out;
}

/**
 * BundleHeaderProto num_shards = 1 (fields 1-3); BundleEntryProto shard_id = 3, offset = 4,
 * size = 5 (fields 1-7). null when the value has fields neither message has.
 */
function ints(value: Uint8Array, wanted: readonly number[], maxField = 7): Map<number, number> | null {
  const cur = new Cursor(bytesReader(value));
  const got = new Map<number, number>();
  while (cur.remaining > 0) {
    const t = tag(cur);
    if (t.num > maxField) return null;
    if (t.wire === 0 && wanted.includes(t.num)) got.set(t.num, varint(cur));
    else skipValue(cur, t.wire);
  }
  return got;
}

/**
 * TensorFlow writes a table as its blocks back to back from byte 0, each with its trailer, then
 * the footer. Bytes no block accounts for could hold another format (the table magic is only at
 * the end, so a polyglot would otherwise pass as an index): a string says where the gap is.
 */
function untiled(blocks: readonly Handle[], end: number): string | null {
  let at = 0;
  for (const b of [...blocks].sort((x, y) => x.offset - y.offset)) {
    if (b.offset !== at)
      return `bytes ${Math.min(at, b.offset)}-${Math.max(at, b.offset)} belong to no block`;
    at = b.offset + b.size + TRAILER;
  }
  return at === end ? null : `bytes ${at}-${end} belong to no block`;
}

export const ZIP_END = Buffer.from('PK\x05\x06', 'latin1');
const ZIP_RECORDS = [Buffer.from('PK\x03\x04', 'latin1'), ZIP_END];

function holdsZipRecord(r: ReadAt): boolean {
  const CHUNK = 1 << 20;
  for (let off = 0; off < r.size; off += CHUNK) {
    const b = r.read(off, CHUNK + 3);
    const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
    if (ZIP_RECORDS.some((sig) => buf.includes(sig))) return true;
  }
  return false;
}

/** The index's shards and extents; a string says why it could not be read. */
export function readBundleIndex(r: ReadAt): BundleIndex | string {
  try {
    if (!isTfTable(r)) return 'no table magic at the end';
    const foot = new Cursor(r, r.size - FOOTER, r.size - 8);
    const metaindex = handle(foot); // not read by TensorFlow's bundle reader; only placed
    const index = handle(foot);
    if (foot.bytes(foot.remaining).some((b) => b !== 0)) return 'the footer padding is not zero';
    const placed: Handle[] = [metaindex, index];
    let numShards = -1;
    let entries = 0;
    const extents: number[] = [];
    const budget = { bytes: r.size };
    const blocks = blockEntries(r, index, MAX_ENTRIES, budget);
    for (const ib of blocks) {
      const h = handle(new Cursor(bytesReader(ib.value)));
      placed.push(h);
      const data = blockEntries(r, h, MAX_ENTRIES - entries, budget);
      for (const e of data) {
        entries++;
        if (e.key === '') {
          numShards = ints(e.value, [1], 3)?.get(1) ?? 0;
          if (numShards < 1 || numShards > MAX_SHARDS) return `the header names ${numShards} shards`;
          continue;
        }
        const f = ints(e.value, [3, 4, 5]);
        if (f === null) return `entry ${JSON.stringify(e.key)} is not a BundleEntryProto`;
        const shard = f.get(3) ?? 0;
        if (numShards < 0) return 'a tensor entry comes before the header';
        if (shard >= numShards)
          return `tensor ${JSON.stringify(e.key)} lies in shard ${shard} of ${numShards}`;
        const end = (f.get(4) ?? 0) + (f.get(5) ?? 0);
        if (!Number.isSafeInteger(end)) return `tensor ${JSON.stringify(e.key)} ends past 2^53`;
        extents[shard] = Math.max(extents[shard] ?? 0, end);
      }
    }
    if (numShards < 0) return 'no header entry';
    const gap = untiled(placed, r.size - FOOTER);
    if (gap !== null) return gap;
    if (holdsZipRecord(r)) return 'it holds a zip record, so a zip reader would open it as an archive';
    return { numShards, extents: Array.from({ length: numShards }, (_, i) => extents[i] ?? 0) };
  } catch (e) {
    if (e instanceof ProtoError) return e.message;
    if (e instanceof Truncated) return `data ends inside a field (byte ${e.at})`;
    throw e;
  }
}

/** What an index says about one of its data files: the scan accepts it as tensor bytes of this size. */
export interface TensorDataClaim {
  /** the index that names the file */
  readonly index: string;
  readonly bytes: number;
}

/**
 * The data files an index at `indexPath` names (`<prefix>.data-00000-of-00001`, paths relative as
 * given), each with the size its tensors fill; empty when the index cannot be read.
 */
export function tensorBundleData(indexPath: string, r: ReadAt): ReadonlyMap<string, TensorDataClaim> {
  const out = new Map<string, TensorDataClaim>();
  if (!indexPath.endsWith('.index')) return out;
  const idx = readBundleIndex(r);
  if (typeof idx === 'string') return out;
  const prefix = indexPath.slice(0, -'.index'.length);
  const n = String(idx.numShards).padStart(5, '0');
  idx.extents.forEach((bytes, i) => {
    out.set(`${prefix}.data-${String(i).padStart(5, '0')}-of-${n}`, { index: indexPath, bytes });
  });
  return out;
}
