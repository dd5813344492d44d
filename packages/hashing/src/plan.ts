import { statSync } from 'node:fs';
import { type Serialization, shardName } from '@modelseal/manifest';
import type { HashConfig } from './config.ts';
import { ioError, type ReadTask } from './read.ts';
import type { WalkedFile } from './walk.ts';

/** The work list: one task per file (files) or per shard (shards), with the resource algorithm. */
export interface Plan {
  readonly tasks: ReadTask[];
  readonly algorithm: string;
  /** total bytes when known up front (always for shards; for files only after sizes are learned) */
  readonly totalBytes: number | undefined;
  /** the tasks are in canonical resource order (the walk's order, unless reordered since) */
  readonly canonical: boolean;
}

export function planTasks(cfg: HashConfig, files: readonly WalkedFile[]): Plan {
  const s = cfg.serialization;
  switch (s.method) {
    case 'files':
      return {
        tasks: files.map((f) => ({ path: f.path, name: f.name })),
        algorithm: resourceAlgorithm(s),
        totalBytes: undefined,
        canonical: true,
      };
    case 'shards': {
      const tasks: ReadTask[] = [];
      let total = 0;
      for (const f of files) {
        let size: number;
        try {
          size = statSync(f.path).size;
        } catch (e) {
          throw ioError(e, f.name, 'stat');
        }
        total += size;
        for (const shard of shardsOf(f.name, size, s.shardSize)) {
          tasks.push({ path: f.path, ...shard, expectedSize: size });
        }
      }
      // each file's shards in ascending offsets, files in the walk's order: canonical
      return { tasks, algorithm: resourceAlgorithm(s), totalBytes: total, canonical: true };
    }
    default:
      throw new Error('unreachable serialization');
  }
}

/** A file's shards as model_signing names them; none for an empty file, as model_signing emits none. */
export function shardsOf(
  name: string,
  size: number,
  shardSize: number,
): { name: string; start: number; end: number }[] {
  const shards: { name: string; start: number; end: number }[] = [];
  for (let start = 0; start < size; start += shardSize) {
    const end = Math.min(size, start + shardSize);
    shards.push({ name: shardName(name, start, end), start, end });
  }
  return shards;
}

/** The algorithm each resource records: `sha256`, or `sha256-sharded-<shard size>`. */
export function resourceAlgorithm(s: Serialization): string {
  return s.method === 'shards' ? `${s.hashType}-sharded-${s.shardSize}` : s.hashType;
}
