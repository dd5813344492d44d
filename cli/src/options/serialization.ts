import type { Serialization } from '@modelseal/manifest';
import type { Argv } from 'yargs';

export interface SerializationArgs {
  serialization: 'files' | 'shards';
  'shard-size': number;
  hash: 'sha256' | 'blake2b' | 'blake3';
  'ignore-paths'?: string[];
  'ignore-git-paths': boolean;
  'allow-symlinks': boolean;
}

export const withIgnore = <T>(y: Argv<T>) =>
  y
    .option('ignore-paths', {
      type: 'string',
      array: true,
      describe: 'paths inside the model (relative to it) to leave out of the signature',
    })
    .option('ignore-git-paths', {
      type: 'boolean',
      default: true,
      describe: 'leave .git, .gitattributes, .github, .gitignore out (--no-ignore-git-paths to include them)',
    });

export const withSerialization = <T>(y: Argv<T>): Argv<T & SerializationArgs> =>
  withIgnore(y)
    .option('serialization', {
      choices: ['files', 'shards'] as const,
      default: 'files' as const,
      describe: 'one digest per file, or per shard',
    })
    .option('shard-size', {
      type: 'number',
      default: 1_000_000_000,
      describe: 'shard size in bytes (shards only)',
    })
    .option('hash', {
      choices: ['sha256', 'blake2b', 'blake3'] as const,
      default: 'sha256' as const,
      describe: 'digest algorithm',
    })
    .option('allow-symlinks', {
      type: 'boolean',
      default: false,
      describe: 'follow symbolic links inside the model',
    }) as Argv<T & SerializationArgs>;

export function serializationFrom(argv: SerializationArgs): Serialization {
  const base = {
    hashType: argv.hash,
    allowSymlinks: argv['allow-symlinks'],
    ignorePaths: argv['ignore-paths'] ?? [],
  };
  return argv.serialization === 'shards'
    ? { method: 'shards', ...base, shardSize: argv['shard-size'] }
    : { method: 'files', ...base };
}
