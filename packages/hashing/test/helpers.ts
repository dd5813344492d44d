import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModelsealError } from '@modelseal/core';
import type { HashType, Serialization } from '@modelseal/manifest';
import type { HashOptions } from '../src/index.ts';

const made: string[] = [];

export function tempDir(prefix = 'ms-manifest-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  made.push(d);
  return d;
}

export function cleanupTempDirs(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

export function files(hashType: HashType = 'sha256', extra: Partial<Serialization> = {}): Serialization {
  return { method: 'files', hashType, allowSymlinks: false, ignorePaths: [], ...extra } as Serialization;
}

export function shards(
  shardSize: number,
  hashType: HashType = 'sha256',
  extra: Partial<Serialization> = {},
): Serialization {
  return {
    method: 'shards',
    hashType,
    allowSymlinks: false,
    ignorePaths: [],
    shardSize,
    ...extra,
  } as Serialization;
}

export const opts = (serialization: Serialization, more: Partial<HashOptions> = {}): HashOptions => ({
  serialization,
  ...more,
});

/** Awaits a rejection and returns the typed error so tests can assert its code. */
export async function rejection(p: Promise<unknown>): Promise<ModelsealError> {
  try {
    await p;
  } catch (e) {
    return e as ModelsealError;
  }
  throw new Error('expected the promise to reject');
}
