/**
 * Incremental hashing for signing one's own model: files whose file-system stamp (device, inode,
 * size, mtime and ctime in ns) is unchanged since a previous run reuse that run's digests; every
 * other file is hashed again. Any doubt means hashing: a stamp too close to when it was taken
 * (the racy-git rule), a different stamp, a cache that cannot be read. The manifest is the one
 * hashModel would return for the same files.
 */
import { type BigIntStats, statSync } from 'node:fs';
import { InputError } from '@modelseal/core';
import {
  createManifest,
  type Manifest,
  type Resource,
  type Serialization,
  sortByResourceName,
} from '@modelseal/manifest';
import { type HashOptions, resolveConfig } from './config.ts';
import {
  type CacheEntry,
  cacheFileFor,
  type FileStamp,
  loadDigestCache,
  saveDigestCache,
} from './digest-cache.ts';
import { typedErrors } from './errors.ts';
import { hashModel } from './hash-model.ts';
import { resourceAlgorithm, shardsOf } from './plan.ts';
import { ioError } from './read.ts';
import { type WalkedFile, walkModel } from './walk.ts';

export interface IncrementalOptions extends HashOptions {
  /** directory of cache files (created 0700); see docs/hashing.md for the default the CLI uses */
  readonly cacheDir: string;
}

export interface IncrementalResult {
  readonly manifest: Manifest;
  /** files whose digests came from the cache / were hashed */
  readonly reused: number;
  readonly hashed: number;
  readonly hashedBytes: number;
  /** the cache file written, if it could be */
  readonly cacheFile?: string;
  /** why cached digests were not used (unreadable cache, …), for the caller to show */
  readonly notes: readonly string[];
}

/** A stamp taken within this long of its recording cannot rule out a later write in the same tick. */
const RACY_NS = 1_000_000_000n;
/** more files to hash than this: one full pass over the model beats hashing them one by one */
const ONE_BY_ONE_MAX = 32;

export async function hashModelIncremental(
  path: string,
  options: IncrementalOptions,
): Promise<IncrementalResult> {
  return typedErrors(() => incremental(path, options));
}

async function incremental(path: string, options: IncrementalOptions): Promise<IncrementalResult> {
  const cfg = resolveConfig(path, options);
  const s = cfg.serialization;
  const walked = walkModel(path, { ignore: cfg.ignore, allowSymlinks: s.allowSymlinks });
  const cache = loadDigestCache(cacheFileFor(options.cacheDir, walked.root, s), walked.root, s);
  const recordedNs = nowNs();
  const before = walked.files.map((f) => stampOf(f));
  const reuse: (CacheEntry | undefined)[] = walked.files.map((f, i) => {
    const entry = cache.entries.get(f.name);
    return entry && usable(entry, before[i]!, s) ? entry : undefined;
  });
  const todo = walked.files.flatMap((f, i) => (reuse[i] ? [] : [{ f, i }]));

  let manifest: Manifest;
  let digestsOf: (i: number) => readonly string[] | undefined;
  if (todo.length > ONE_BY_ONE_MAX) {
    // the full pass is the plain one; its resources are then split back per file for the cache
    manifest = await hashModel(path, options);
    const byName = new Map(manifest.resources.map((r) => [r.name, r.digest]));
    digestsOf = (i) => resourceNames(walked.files[i]!, before[i]!, s).map((n) => byName.get(n) ?? '');
  } else {
    const fresh = new Map<number, readonly string[]>();
    for (const { f, i } of todo) {
      fresh.set(i, await hashOne(f, s, options));
      const after = stampOf(f);
      if (!sameStamp(after, before[i]!)) {
        throw new InputError({
          code: 'FILE_CHANGED_WHILE_HASHING',
          message: `${f.name} changed while it was hashed; stop whatever writes to it and sign again`,
          details: { file: f.name },
        });
      }
    }
    digestsOf = (i) => reuse[i]?.digests ?? fresh.get(i);
    const resources: Resource[] = walked.files.flatMap((f, i) => {
      const names = resourceNames(f, before[i]!, s);
      const digests = digestsOf(i)!;
      return names.map((name, k) => ({ name, algorithm: resourceAlgorithm(s), digest: digests[k]! }));
    });
    manifest = createManifest({
      modelName: cfg.modelName,
      serialization: s,
      resources: sortByResourceName(resources, s.method),
    });
  }

  // Record only what did not move while it was read: the stamp after must equal the one before.
  const entries = new Map<string, CacheEntry>();
  walked.files.forEach((f, i) => {
    const kept = reuse[i];
    if (kept) {
      entries.set(f.name, kept);
      return;
    }
    const after = stampOrUndefined(f);
    const digests = digestsOf(i);
    if (after && sameStamp(after, before[i]!) && digests && !digests.includes('')) {
      entries.set(f.name, { stamp: before[i]!, recordedNs, digests });
    }
  });
  const notes = [...cache.notes];
  let cacheFile: string | undefined;
  try {
    cacheFile = saveDigestCache(options.cacheDir, walked.root, s, entries);
  } catch (e) {
    notes.push(`digest cache not written to ${options.cacheDir}: ${(e as Error).message}`);
  }
  const hashedBytes = todo.reduce((sum, { i }) => sum + Number(before[i]!.size), 0);
  return {
    manifest,
    reused: walked.files.length - todo.length,
    hashed: todo.length,
    hashedBytes,
    ...(cacheFile ? { cacheFile } : {}),
    notes,
  };
}

function nowNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

function stampOf(f: WalkedFile): FileStamp {
  let st: BigIntStats;
  try {
    st = statSync(f.path, { bigint: true });
  } catch (e) {
    throw ioError(e, f.name, 'stat');
  }
  return { dev: st.dev, ino: st.ino, size: st.size, mtimeNs: st.mtimeNs, ctimeNs: st.ctimeNs };
}

function stampOrUndefined(f: WalkedFile): FileStamp | undefined {
  try {
    return stampOf(f);
  } catch {
    return undefined;
  }
}

function sameStamp(a: FileStamp, b: FileStamp): boolean {
  return (
    a.dev === b.dev &&
    a.ino === b.ino &&
    a.size === b.size &&
    a.mtimeNs === b.mtimeNs &&
    a.ctimeNs === b.ctimeNs
  );
}

/**
 * The racy-git rule, on both times: a write in the same clock tick as the recorded stamp leaves
 * mtime and ctime unchanged, so a stamp less than a second older than its recording is not trusted.
 */
function usable(entry: CacheEntry, now: FileStamp, s: Serialization): boolean {
  const t = entry.stamp;
  if (!sameStamp(t, now)) return false;
  if (t.mtimeNs > entry.recordedNs - RACY_NS || t.ctimeNs > entry.recordedNs - RACY_NS) return false;
  return entry.digests.length === shardCount(Number(t.size), s);
}

function shardCount(size: number, s: Serialization): number {
  return s.method === 'shards' ? Math.ceil(size / s.shardSize) : 1;
}

function resourceNames(f: WalkedFile, stamp: FileStamp, s: Serialization): string[] {
  if (s.method !== 'shards') return [f.name];
  return shardsOf(f.name, Number(stamp.size), s.shardSize).map((x) => x.name);
}

/** One file as a one-file model: the same reader and hashers, digests in shard order. */
async function hashOne(
  f: WalkedFile,
  s: Serialization,
  options: IncrementalOptions,
): Promise<readonly string[]> {
  const m = await hashModel(f.path, {
    serialization: { ...s, ignorePaths: [] },
    ignoreGitPaths: false,
    ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return m.resources.map((r) => r.digest);
}
