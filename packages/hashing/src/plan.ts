import { statSync } from 'node:fs';
import { shardName } from '@modelseal/manifest';
import type { HashConfig } from './config.ts';
import { ioError, type ReadTask } from './read.ts';
import type { WalkedFile } from './walk.ts';

/** The work list: one task per file (files) or per shard (shards), with the resource algorithm. */
export interface Plan {
  readonly tasks: ReadTask[];
  readonly algorithm: string;
  /** total bytes when known up front (always for shards; for files only after sizes are learned) */
  readonly totalBytes: number | undefined;
}

export function planTasks(cfg: HashConfig, files: readonly WalkedFile[]): Plan {
  const s = cfg.serialization;
  switch (s.method) {
    case 'files':
      return {
        tasks: files.map((f) => ({ path: f.path, name: f.name })),
        algorithm: s.hashType,
        totalBytes: undefined,
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
        // model_signing emits no shard for an empty file.
        for (let start = 0; start < size; start += s.shardSize) {
          const end = Math.min(size, start + s.shardSize);
          tasks.push({ path: f.path, name: shardName(f.name, start, end), start, end, expectedSize: size });
        }
      }
      return { tasks, algorithm: `${s.hashType}-sharded-${s.shardSize}`, totalBytes: total };
    }
    default:
      throw new Error('unreachable serialization');
  }
}
