import { InputError } from '@modelseal/core';

const MAX_NAME_LENGTH = 4096;

function reject(name: string, why: string): never {
  throw new InputError({
    code: 'RESOURCE_NAME_INVALID',
    message: `OMS statement: resource name ${JSON.stringify(name)} ${why}; a signed name must be a relative POSIX path inside the model`,
    details: { name },
  });
}

/**
 * A resource name is a relative POSIX path (`.` for a single-file model), or `path:start:end`
 * for a shard, the offsets taken from the right so the path may hold `:` itself. Any name a
 * POSIX file system can give model_signing is accepted (`a:b.bin`, `x:0:10`, `C:`, backslashes);
 * refused are only what could reach outside the model (`..`, an absolute path, NUL) and what no
 * directory walk can produce, so could not round-trip to a file: empty or `.` components, and
 * unpaired surrogates (not UTF-8).
 */
export function validateResourceName(name: string, shardSize: number | undefined): void {
  if (name.length === 0) reject(name, 'is empty');
  if (name.length > MAX_NAME_LENGTH)
    reject(name.slice(0, 64), `is longer than ${MAX_NAME_LENGTH} characters`);
  let path = name;
  if (shardSize !== undefined) {
    const m = /^(.*):(0|[1-9][0-9]*):([1-9][0-9]*)$/s.exec(name);
    if (!m) reject(name, 'is not a shard name path:start:end');
    path = m[1] as string;
    const start = Number(m[2]);
    const end = Number(m[3]);
    if (!Number.isSafeInteger(end) || start >= end || start % shardSize !== 0 || end - start > shardSize) {
      reject(name, `has shard bounds that do not fit shard size ${shardSize}`);
    }
  }
  if (path === '.') return;
  if (path.includes('\0')) reject(name, 'contains a NUL byte');
  if (!path.isWellFormed()) reject(name, 'is not valid Unicode (an unpaired surrogate)');
  if (path.startsWith('/')) reject(name, 'is absolute');
  for (const part of path.split('/')) {
    if (part === '') reject(name, 'has an empty path component');
    if (part === '..') reject(name, 'escapes the model directory with ".."');
    if (part === '.') reject(name, 'has a "." component');
  }
}
