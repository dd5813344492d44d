import { statSync } from 'node:fs';
import { sha256Hex } from '@modelseal/core';
import { type Manifest, type Resource, sortByResourceName } from '@modelseal/manifest';
import { blake3Engine } from './blake3.ts';
import { type HashConfig, type HashOptions, resolveConfig } from './config.ts';
import { typedErrors } from './errors.ts';
import { DIGEST_BYTES, type HasherFactory, hasherFactory } from './hasher.ts';
import { nativeHasher } from './native.ts';
import { nativeJob, STREAM_EVERY } from './native-stream.ts';
import { hashTree } from './native-tree.ts';
import { type Plan, planTasks, resourceAlgorithm } from './plan.ts';
import { type Pool, type Running, takePool } from './pool.ts';
import { hashTask, ioError, type ReadTask } from './read.ts';
import { CHUNK } from './threads.ts';
import { joinSplit, splitTasks } from './tree.ts';
import { walkModel } from './walk.ts';

/* Tuning (bench/hashing.bench.ts): starting a worker costs tens of milliseconds, more than hashing
 * a handful of small files inline. */
const INLINE_MAX_TASKS = 64;
const INLINE_MAX_BYTES = 32 << 20;
/** with few files, statting them on the main thread is cheap and buys balance and a progress total */
const STAT_MAX_FILES = 256;
const INLINE_PROGRESS_MS = 100;

/** Walks and hashes a model directory (or single file) into its OMS manifest, model_signing 1.1 compatible. */
export async function hashModel(path: string, options: HashOptions): Promise<Manifest> {
  return typedErrors(() => hashModelUnchecked(path, options));
}

async function hashModelUnchecked(path: string, options: HashOptions): Promise<Manifest> {
  const cfg = resolveConfig(path, options);
  options.signal?.throwIfAborted();
  const hashType = cfg.serialization.hashType;
  const single = isSingleFile(path);
  const native = options.nativeHashing === false ? undefined : await nativeHasher(hashType);
  // A directory may hold many files: start the workers now so their start-up overlaps the walk.
  const pool = !native && cfg.concurrency > 1 && !single ? takePool(cfg.concurrency) : undefined;
  let digests: Uint8Array;
  let plan: Plan;
  let order: readonly { readonly name: string; readonly i: number }[];
  // files without a progress total: a plain tree is listed by the addon, in batches it hashes as
  // they come (native-tree.ts); otherwise the addon starts on files while the walk goes on. (withSizes reorders only plans with a
  // progress total or few files, so streamed tasks stay the plan's first.)
  const streamable = native && cfg.serialization.method === 'files' && !options.onProgress && !single;
  const tree = streamable
    ? await hashTree(native, path, cfg.ignore, { threads: cfg.concurrency, signal: options.signal })
    : undefined;
  if (tree) return manifestOf(cfg, resourceAlgorithm(cfg.serialization), tree.names, undefined, tree.digests);
  const job = native
    ? nativeJob(native, { threads: cfg.concurrency, onProgress: options.onProgress, signal: options.signal })
    : undefined;
  const stream = job && streamable;
  try {
    const walked = walkModel(path, {
      ignore: cfg.ignore,
      allowSymlinks: cfg.serialization.allowSymlinks,
      ...(stream ? { onFiles: job.onFiles, emitEvery: STREAM_EVERY } : {}),
    });
    plan = withSizes(planTasks(cfg, walked.files), options.onProgress !== undefined);
    const hashing = job
      ? job.finish(plan.tasks, plan.totalBytes)
      : await startHashing(cfg, plan, options, pool);
    // The canonical order is worked out while the workers hash, not after.
    const indexed = plan.tasks.map((t, i) => ({ name: t.name, i }));
    order = plan.canonical ? indexed : sortByResourceName(indexed, cfg.serialization.method);
    digests = await hashing.finish();
  } catch (e) {
    job?.cancel();
    throw e;
  } finally {
    pool?.cancel();
  }
  const names = order.map((o) => o.name);
  const at = plan.canonical ? undefined : Uint32Array.from(order, (o) => o.i);
  return manifestOf(cfg, plan.algorithm, names, at, digests);
}

/**
 * The manifest from resource names in canonical order and the digests in hashing order: the j-th
 * name's digest is number `at[j]` (number j without `at`).
 */
function manifestOf(
  cfg: HashConfig,
  algorithm: string,
  names: readonly string[],
  at: Uint32Array | undefined,
  digests: Uint8Array,
): Manifest {
  // One hex string for all digests, sliced per resource: 20k small Buffers cost ~10 ms.
  const dlen = DIGEST_BYTES[cfg.serialization.hashType];
  const hexLen = 2 * dlen;
  const hex = Buffer.from(digests.buffer, digests.byteOffset, digests.byteLength).toString('hex');
  const resources: Resource[] = new Array(names.length);
  for (let j = 0; j < names.length; j++) {
    const i = at ? at[j]! : j;
    resources[j] = { name: names[j]!, algorithm, digest: hex.slice(i * hexLen, (i + 1) * hexLen) };
  }
  Object.freeze(resources);
  // the subject is SHA-256 over the raw digests in canonical order: they are at hand here
  let raw = digests.subarray(0, names.length * dlen);
  if (at) {
    raw = new Uint8Array(names.length * dlen);
    for (let j = 0; j < names.length; j++) {
      const i = at[j]!;
      raw.set(digests.subarray(i * dlen, (i + 1) * dlen), j * dlen);
    }
  }
  return Object.freeze({
    modelName: cfg.modelName,
    serialization: cfg.serialization,
    resources,
    subjectDigest: sha256Hex(raw),
  });
}

function isSingleFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false; // walkModel reports the problem with a proper code
  }
}

/** On the workers when there is enough work to pay for them, else on this thread alone. */
async function startHashing(
  cfg: HashConfig,
  plan: Plan,
  options: HashOptions,
  pool: Pool | undefined,
): Promise<Running> {
  const hashType = cfg.serialization.hashType;
  const dlen = DIGEST_BYTES[hashType];
  const newHasher = await hasherFactory(hashType);
  if (hashType === 'blake3') await noteFallback(options.onNote);
  // BLAKE3 with the native tree: big files are cut into ranges that any thread can take
  const split = cfg.concurrency > 1 && newHasher.tree ? splitTasks(plan.tasks) : undefined;
  if (split && newHasher.tree) {
    const tree = newHasher.tree;
    const running = (pool ?? takePool(cfg.concurrency)).start({
      hashType,
      tasks: split.tasks,
      digestBytes: dlen,
      totalBytes: plan.totalBytes,
      hasher: newHasher,
      onProgress: options.onProgress,
      signal: options.signal,
    });
    return { finish: async () => joinSplit(split, await running.finish(), tree) };
  }
  const small =
    plan.tasks.length <= INLINE_MAX_TASKS &&
    plan.totalBytes !== undefined &&
    plan.totalBytes <= INLINE_MAX_BYTES;
  if (cfg.concurrency > 1 && plan.tasks.length > 1 && !small) {
    return (pool ?? takePool(cfg.concurrency)).start({
      hashType,
      tasks: plan.tasks,
      digestBytes: dlen,
      totalBytes: plan.totalBytes,
      hasher: newHasher,
      onProgress: options.onProgress,
      signal: options.signal,
    });
  }
  return { finish: async () => hashInline(plan, options, newHasher, dlen) };
}

let noted = false;
async function noteFallback(onNote: ((text: string) => void) | undefined): Promise<void> {
  const e = await blake3Engine();
  if (noted || !e.fallback || !onNote) return;
  noted = true;
  onNote(`note: BLAKE3 runs on the slower ${e.backend} implementation: ${e.fallback}`);
}

function hashInline(plan: Plan, options: HashOptions, newHasher: HasherFactory, dlen: number): Uint8Array {
  const out = new Uint8Array(plan.tasks.length * dlen);
  const buf = new Uint8Array(CHUNK);
  let done = 0;
  let reported = 0;
  const total = plan.totalBytes ?? 0;
  const report = () => {
    reported = performance.now();
    options.onProgress?.(done, Math.max(total, done));
  };
  // reported while a big file is read, not only when it ends (this thread does not yield meanwhile)
  const hooks = {
    onBytes: (n: number) => {
      done += n;
      if (performance.now() - reported >= INLINE_PROGRESS_MS) report();
    },
  };
  for (let i = 0; i < plan.tasks.length; i++) {
    options.signal?.throwIfAborted();
    const r = hashTask(plan.tasks[i]!, newHasher, buf, options.onProgress ? hooks : undefined);
    out.set(r.digest, i * dlen);
    if (!options.onProgress) continue;
    report();
  }
  return out;
}

/**
 * Files mode plans without sizes (no per-file stat for big datasets). With few files, or when a
 * progress total is wanted, learn them: biggest first balances the workers.
 */
function withSizes(plan: Plan, wantTotal: boolean): Plan {
  if (plan.totalBytes !== undefined || (plan.tasks.length > STAT_MAX_FILES && !wantTotal)) return plan;
  let total = 0;
  const sized: ReadTask[] = plan.tasks.map((t) => {
    let size: number;
    try {
      size = statSync(t.path).size;
    } catch (e) {
      throw ioError(e, t.name, 'stat');
    }
    total += size;
    return { ...t, expectedSize: size };
  });
  sized.sort((a, b) => b.expectedSize! - a.expectedSize!);
  return { ...plan, tasks: sized, totalBytes: total, canonical: false };
}
