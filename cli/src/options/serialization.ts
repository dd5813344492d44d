import type { Serialization } from '@modelseal/manifest';
import type { Argv } from 'yargs';
import { err } from '../io.ts';
import { resolveIgnorePaths } from './method.ts';
import { repeatable } from './repeatable.ts';

/** How a model is hashed: shared by `digest`, `sign` and (ignore flags) `verify`. */
export interface SerializationArgs {
  serialization: 'files' | 'shards';
  /** a string so that `1e9`, `-1` or `10GB` are refused instead of silently coerced */
  'shard-size'?: string;
  hash: 'sha256' | 'blake2b' | 'blake3';
  'ignore-paths'?: string[];
  'ignore-git-paths': boolean;
  'allow-symlinks': boolean;
}

export const withIgnore = <T>(y: Argv<T>) =>
  y
    .option('ignore-paths', {
      alias: ['ignore_paths'],
      ...repeatable(
        'a path to leave out, relative to the current directory as in model_signing (a directory leaves out all below it)',
      ),
    })
    .option('ignore-git-paths', {
      type: 'boolean',
      default: true,
      describe:
        'leave out .git, .gitattributes, .github, .gitignore at the root (--no-ignore-git-paths to include)',
    });

export const withSerialization = <T>(y: Argv<T>): Argv<T & SerializationArgs> =>
  withIgnore(y)
    .option('serialization', {
      choices: ['files', 'shards'] as const,
      default: 'files' as const,
      describe: 'one digest per file, or per shard of each file',
    })
    .option('shard-size', {
      type: 'string',
      describe: 'shard size in bytes with --serialization shards (default 1000000000)',
    })
    .option('hash', {
      choices: ['sha256', 'blake2b', 'blake3'] as const,
      default: 'sha256' as const,
      describe: 'hash for each resource',
    })
    .option('allow-symlinks', {
      alias: ['allow_symlinks'],
      type: 'boolean',
      default: false,
      describe:
        'hash symlinks as their targets (inside the model, or a Hugging Face cache snapshot’s own blobs/)',
    }) as Argv<T & SerializationArgs>;

/** `model`: the local model the ignore paths are resolved against (see ./method.ts). */
export async function serializationFrom(argv: SerializationArgs, model?: string): Promise<Serialization> {
  const { UsageError } = await import('@modelseal/core');
  const { DEFAULT_SHARD_SIZE } = await import('@modelseal/hashing');
  const size = argv['shard-size'];
  if (size !== undefined && argv.serialization !== 'shards') {
    throw new UsageError({
      code: 'SHARD_SIZE_WITHOUT_SHARDS',
      message: '--shard-size only applies with --serialization shards',
    });
  }
  const base = {
    hashType: argv.hash,
    allowSymlinks: argv['allow-symlinks'],
    ignorePaths: ignorePathsFor(argv['ignore-paths'] ?? [], model),
  };
  if (argv.serialization === 'files') return { method: 'files', ...base };
  const shardSize =
    size === undefined ? DEFAULT_SHARD_SIZE : /^[1-9]\d*$/.test(size) ? Number(size) : Number.NaN;
  if (!Number.isSafeInteger(shardSize)) {
    throw new UsageError({
      code: 'BAD_SHARD_SIZE',
      message: `--shard-size must be a positive whole number of bytes, got "${size}"`,
    });
  }
  return { method: 'shards', ...base, shardSize };
}

/** Ignore paths as model_signing reads them (relative to the current directory) for a local model. */
export function ignorePathsFor(paths: readonly string[], model: string | undefined): string[] {
  if (model === undefined) return [...paths];
  return resolveIgnorePaths(model, paths, (m) => err(`warning: ${m}`));
}
