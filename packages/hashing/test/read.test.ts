import { appendFileSync, closeSync, ftruncateSync, openSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { codeOf } from '../../../test/codes.ts';
import { toModelsealError } from '../src/errors.ts';
import { hasherFactory } from '../src/hasher.ts';
import { hashTask } from '../src/read.ts';
import { cleanupTempDirs, tempDir } from './helpers.ts';

/** hashTask runs in a worker and throws its own HashFailure; hashModel revives it as callers see it. */
const catchCode = (fn: () => unknown) =>
  codeOf(() => {
    try {
      fn();
    } catch (e) {
      throw toModelsealError(e);
    }
  });

afterAll(cleanupTempDirs);

const sha = await hasherFactory('sha256');
const b2 = await hasherFactory('blake2b');

const GiB = 1024 ** 3;

describe('hashTask: files that change while being hashed', () => {
  it('a sparse 2 GiB file truncated mid-hash fails with FILE_CHANGED_WHILE_HASHING naming the file', () => {
    const path = join(tempDir(), 'sparse.bin');
    const fd = openSync(path, 'w');
    ftruncateSync(fd, 2 * GiB);
    closeSync(fd);
    let truncated = false;
    let err: unknown;
    try {
      hashTask({ path, name: 'sparse.bin' }, sha, new Uint8Array(1 << 20), {
        afterChunk: (n) => {
          if (!truncated && n >= 4 << 20) {
            truncateSync(path, 1 << 20);
            truncated = true;
          }
        },
      });
    } catch (e) {
      err = e;
    }
    expect(truncated).toBe(true);
    expect(err).toMatchObject({ code: 'FILE_CHANGED_WHILE_HASHING', kind: 'input' });
    expect((err as Error).message).toContain('"sparse.bin"');
  });

  it('a file that grows while being hashed fails too', () => {
    const path = join(tempDir(), 'grow');
    writeFileSync(path, Buffer.alloc(300_000));
    const code = catchCode(() =>
      hashTask({ path, name: 'grow' }, b2, new Uint8Array(65536), {
        afterChunk: (n) => n === 65536 && appendFileSync(path, 'more'),
      }),
    );
    expect(code).toBe('FILE_CHANGED_WHILE_HASHING');
  });

  it('a shard whose file no longer has the planned size fails', () => {
    const path = join(tempDir(), 'w');
    writeFileSync(path, Buffer.alloc(100));
    expect(
      catchCode(() =>
        hashTask({ path, name: 'w:0:50', start: 0, end: 50, expectedSize: 120 }, sha, new Uint8Array(16)),
      ),
    ).toBe('FILE_CHANGED_WHILE_HASHING');
  });

  it('a vanished file is FILE_VANISHED; an unreadable one PERMISSION_DENIED', () => {
    const dir = tempDir();
    expect(
      catchCode(() => hashTask({ path: join(dir, 'gone'), name: 'gone' }, sha, new Uint8Array(16))),
    ).toBe('FILE_VANISHED');
    if (process.getuid?.() !== 0) {
      const p = join(dir, 'locked');
      writeFileSync(p, 'x', { mode: 0o000 });
      expect(catchCode(() => hashTask({ path: p, name: 'locked' }, sha, new Uint8Array(16)))).toBe(
        'PERMISSION_DENIED',
      );
    }
  });
});
