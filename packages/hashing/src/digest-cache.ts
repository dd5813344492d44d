/**
 * The digest cache behind incremental signing: what each file of one model hashed to, keyed by
 * what the file system says about it. One JSON file per (model real path, serialization
 * parameters) in a directory only its owner can write. The cache is a hint for signing one's own
 * files, never evidence: verification always re-hashes (it does not import this module).
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { Serialization } from '@modelseal/manifest';

export const DIGEST_CACHE_VERSION = 1;
/** a cache this large is not ours (100k files take ~20 MiB) */
const MAX_CACHE_BYTES = 256 << 20;

/** What identifies a file's content without reading it; all of it must match. */
export interface FileStamp {
  readonly dev: bigint;
  readonly ino: bigint;
  readonly size: bigint;
  readonly mtimeNs: bigint;
  readonly ctimeNs: bigint;
}

export interface CacheEntry {
  readonly stamp: FileStamp;
  /** wall-clock time (ns) just before the stamp was taken: decides whether the stamp is racy */
  readonly recordedNs: bigint;
  /** hex digests: one per file, or one per shard in order */
  readonly digests: readonly string[];
}

export interface LoadedCache {
  readonly entries: ReadonlyMap<string, CacheEntry>;
  /** why the cache file was not used, for the caller to show */
  readonly notes: readonly string[];
}

/** The parameters a digest depends on besides the bytes; part of the file name and checked inside. */
export function cacheParams(s: Serialization): Record<string, unknown> {
  return {
    method: s.method,
    hashType: s.hashType,
    allowSymlinks: s.allowSymlinks,
    ...(s.method === 'shards' ? { shardSize: s.shardSize } : {}),
  };
}

export function cacheFileFor(dir: string, realRoot: string, s: Serialization): string {
  const id = createHash('sha256')
    .update(`${realRoot}\0${JSON.stringify(cacheParams(s))}`)
    .digest('hex');
  return join(dir, `${id.slice(0, 32)}.json`);
}

/**
 * Reads a cache file. Anything doubtful (missing, not a regular file, writable by others, not
 * ours, another version, other parameters, truncated or corrupt) yields an empty cache and a note.
 */
export function loadDigestCache(file: string, realRoot: string, s: Serialization): LoadedCache {
  const empty = (note?: string): LoadedCache => ({ entries: new Map(), notes: note ? [note] : [] });
  let text: string;
  try {
    const st = lstatSync(file);
    if (!st.isFile()) return empty(`digest cache ${file} is not a regular file; ignored`);
    if ((st.mode & 0o022) !== 0 || (process.getuid && st.uid !== process.getuid())) {
      return empty(`digest cache ${file} is writable by others or not owned by this user; ignored`);
    }
    if (st.size > MAX_CACHE_BYTES) return empty(`digest cache ${file} is over 256 MiB; ignored`);
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return empty();
    return empty(`digest cache ${file} cannot be read (${(e as Error).message}); ignored`);
  }
  try {
    const doc = JSON.parse(text) as Record<string, unknown>;
    if (doc.version !== DIGEST_CACHE_VERSION) {
      return empty(
        `digest cache ${file} has version ${String(doc.version)}, not ${DIGEST_CACHE_VERSION}; ignored`,
      );
    }
    if (doc.root !== realRoot || JSON.stringify(doc.params) !== JSON.stringify(cacheParams(s))) {
      return empty(`digest cache ${file} belongs to another model or serialization; ignored`);
    }
    const entries = new Map<string, CacheEntry>();
    for (const [name, raw] of Object.entries(doc.entries as Record<string, unknown>)) {
      entries.set(name, entryFrom(raw));
    }
    return { entries, notes: [] };
  } catch {
    return empty(`digest cache ${file} is corrupt or truncated; ignored, every file is hashed`);
  }
}

const DIGEST_HEX = /^[0-9a-f]{32,128}$/;

function entryFrom(raw: unknown): CacheEntry {
  if (!Array.isArray(raw) || raw.length !== 7) throw new Error('bad entry');
  const [dev, ino, size, mtimeNs, ctimeNs, recordedNs, digests] = raw as unknown[];
  const n = (v: unknown) => {
    if (typeof v !== 'string' || !/^\d{1,30}$/.test(v)) throw new Error('bad number');
    return BigInt(v);
  };
  if (!Array.isArray(digests) || !digests.every((d) => typeof d === 'string' && DIGEST_HEX.test(d)))
    throw new Error('bad digests');
  return {
    stamp: { dev: n(dev), ino: n(ino), size: n(size), mtimeNs: n(mtimeNs), ctimeNs: n(ctimeNs) },
    recordedNs: n(recordedNs),
    digests: digests as string[],
  };
}

/** Writes the cache: 0600 in a 0700 directory, to a temporary name first, then renamed over. */
export function saveDigestCache(
  dir: string,
  realRoot: string,
  s: Serialization,
  entries: ReadonlyMap<string, CacheEntry>,
): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = cacheFileFor(dir, realRoot, s);
  const out: Record<string, unknown[]> = {};
  for (const [name, e] of entries) {
    const t = e.stamp;
    out[name] = [...[t.dev, t.ino, t.size, t.mtimeNs, t.ctimeNs, e.recordedNs].map(String), e.digests];
  }
  const body = JSON.stringify({
    version: DIGEST_CACHE_VERSION,
    root: realRoot,
    params: cacheParams(s),
    entries: out,
  });
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, body);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    unlinkSync(tmp);
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, file);
  return file;
}
