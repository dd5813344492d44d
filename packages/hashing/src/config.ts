import { basename, isAbsolute, relative, resolve } from 'node:path';
import { UsageError } from '@modelseal/core';
import { comparePaths, GIT_PATHS, type Serialization } from '@modelseal/manifest';
import { defaultConcurrency } from './threads.ts';

export const DEFAULT_SHARD_SIZE = 1_000_000_000;

/** How hashModel walks and hashes a model. */
export interface HashOptions {
  readonly serialization: Serialization;
  /** extra paths (relative to the model root) to skip on top of serialization.ignorePaths, e.g. the bundle */
  readonly extraIgnore?: readonly string[];
  /** default true: skip .git, .gitattributes, .github, .gitignore at the root */
  readonly ignoreGitPaths?: boolean;
  /** workers; default min(2, cpus) */
  readonly concurrency?: number;
  /**
   * default true: SHA-256 and BLAKE2b run in the native batch addon when it was built (same
   * digests, same checks; far less per-file overhead); false keeps them on the JS threads
   */
  readonly nativeHashing?: boolean;
  readonly onProgress?: (done: number, total: number) => void;
  /** a one-line note for the user, at most once per process (e.g. BLAKE3 on a slower fallback) */
  readonly onNote?: (text: string) => void;
  readonly signal?: AbortSignal;
}

/** Everything hashModel needs, decided once. */
export interface HashConfig {
  readonly input: string;
  readonly modelName: string;
  /** the serialization recorded in the output manifest (ignore paths merged and sorted) */
  readonly serialization: Serialization;
  /** normalized relative paths; a match also skips everything below it */
  readonly ignore: ReadonlySet<string>;
  readonly concurrency: number;
}

export function resolveConfig(path: string, options: HashOptions): HashConfig {
  if (typeof path !== 'string' || path === '' || path.includes('\0')) {
    throw new UsageError({
      code: 'BAD_MODEL_PATH',
      message: 'the model path must be a non-empty path without NUL bytes',
    });
  }
  const abs = resolve(path);
  const s = options.serialization;
  const ignore = new Set<string>();
  for (const p of s.ignorePaths) ignore.add(normalizeIgnorePath(p, 'ignore path'));
  for (const p of options.extraIgnore ?? []) {
    const rel = isAbsolute(p) ? relative(abs, p) : p;
    // Like model_signing: a file outside the model (e.g. a bundle written next to it) is simply not inside.
    if (rel === '' || rel === '..' || rel.startsWith('../') || isAbsolute(rel)) continue;
    ignore.add(normalizeIgnorePath(rel, 'extra ignore path'));
  }
  if (options.ignoreGitPaths !== false) for (const p of GIT_PATHS) ignore.add(p);
  const ignorePaths = Object.freeze([...ignore].sort(comparePaths));
  const concurrency = options.concurrency ?? defaultConcurrency();
  if (!Number.isSafeInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    throw new UsageError({
      code: 'BAD_CONCURRENCY',
      message: `concurrency must be an integer from 1 to 64, got ${concurrency}`,
    });
  }
  return Object.freeze({
    input: path,
    modelName: basename(abs),
    serialization: Object.freeze(effectiveSerialization(s, ignorePaths)),
    ignore,
    concurrency,
  });
}

function effectiveSerialization(s: Serialization, ignorePaths: readonly string[]): Serialization {
  if (!['sha256', 'blake2b', 'blake3'].includes(s.hashType)) {
    throw new UsageError({
      code: 'BAD_HASH_TYPE',
      message: `unknown hash "${s.hashType}"; use sha256, blake2b or blake3`,
    });
  }
  const base = { hashType: s.hashType, allowSymlinks: s.allowSymlinks === true, ignorePaths };
  // model_signing hashes blake3 whole-file even when shards are requested; a shard manifest would not verify there.
  if (s.method === 'files' || s.hashType === 'blake3') return { method: 'files', ...base };
  if (s.method !== 'shards')
    throw new UsageError({
      code: 'BAD_SERIALIZATION',
      message: `unknown serialization "${String((s as { method: unknown }).method)}"; use files or shards`,
    });
  const shardSize = s.shardSize ?? DEFAULT_SHARD_SIZE;
  if (!Number.isSafeInteger(shardSize) || shardSize < 1) {
    throw new UsageError({
      code: 'BAD_SHARD_SIZE',
      message: `shard size must be a positive integer number of bytes, got ${shardSize}`,
    });
  }
  return { method: 'shards', ...base, shardSize };
}

/** POSIX-normalizes a relative ignore path (`./a//b/` -> `a/b`); refuses anything that could point outside the model. */
export function normalizeIgnorePath(p: string, what: string): string {
  if (typeof p !== 'string' || p.includes('\0')) {
    throw new UsageError({
      code: 'BAD_IGNORE_PATH',
      message: `${what} ${JSON.stringify(p)} contains a NUL byte or is not a string`,
    });
  }
  if (p.startsWith('/')) {
    throw new UsageError({
      code: 'BAD_IGNORE_PATH',
      message: `${what} "${p}" is absolute; give it relative to the model directory`,
    });
  }
  const parts = p.split('/').filter((c) => c !== '' && c !== '.');
  if (parts.includes('..')) {
    throw new UsageError({
      code: 'BAD_IGNORE_PATH',
      message: `${what} "${p}" contains "..": ignore paths must stay inside the model directory`,
    });
  }
  if (parts.length === 0) {
    throw new UsageError({
      code: 'BAD_IGNORE_PATH',
      message: `${what} ${JSON.stringify(p)} names the model root itself; name a file or directory inside it`,
    });
  }
  return parts.join('/');
}
