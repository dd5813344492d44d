import { existsSync, readFileSync } from 'node:fs';
import { NotFoundError, UsageError } from '@modelseal/core';

/** Reads a small text file the user named on the command line (key, certificate). */
export function readUserFile(path: string, what: string, flag: string): string {
  if (!existsSync(path)) {
    throw new UsageError({
      code: 'FILE_NOT_FOUND',
      message: `${what} ${path} (given with ${flag}) does not exist`,
    });
  }
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError({
      code: 'FILE_UNREADABLE',
      message: `cannot read ${what} ${path}: ${(e as Error).message}`,
    });
  }
}

export function readBundleFile(path: string): Uint8Array {
  if (!existsSync(path)) {
    throw new NotFoundError({
      code: 'BUNDLE_NOT_FOUND',
      message: `no signature bundle at ${path}; sign the model first or point to the bundle with --bundle`,
    });
  }
  return new Uint8Array(readFileSync(path));
}
