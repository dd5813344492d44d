import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { InputError, isModelsealError, NotFoundError, UsageError } from '@modelseal/core';

/**
 * The one way the CLI reads a file a user named. O_NONBLOCK keeps a FIFO from hanging the open,
 * anything but a regular file is refused, and the size is capped before a byte is read. Errno
 * failures (ENOENT, EACCES) are left to the caller, who knows which flag to name.
 */
export function readRegularFile(path: string, what: string, maxBytes: number): Uint8Array {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const st = fstatSync(fd);
    if (!st.isFile())
      throw new UsageError({ code: 'NOT_A_FILE', message: `${what} ${path} is not a regular file` });
    if (st.size > maxBytes) {
      throw new InputError({
        code: 'FILE_TOO_LARGE',
        message: `${what} ${path} is ${st.size} bytes, over the ${maxBytes}-byte limit`,
      });
    }
    const buf = Buffer.alloc(st.size);
    let n = 0;
    while (n < st.size) {
      const r = readSync(fd, buf, n, st.size - n, n);
      if (r === 0) break;
      n += r;
    }
    return new Uint8Array(buf.buffer, buf.byteOffset, n);
  } finally {
    closeSync(fd);
  }
}

/** Maps an errno failure of readRegularFile; our own coded errors pass through untouched. */
export function fileError(e: unknown, onMissing: () => Error, unreadable: (message: string) => Error): Error {
  if (isModelsealError(e)) return e;
  const err = e as NodeJS.ErrnoException;
  return err.code === 'ENOENT' ? onMissing() : unreadable(err.message);
}

const KEY_FILE_MAX = 1 << 20;
/** An OMS bundle of 100,000 files is ~16 MiB; the store allows 64 MiB. */
const BUNDLE_MAX = 64 << 20;

/** Reads a small text file the user named on the command line (key, certificate). */
export function readUserFile(path: string, what: string, flag: string): string {
  try {
    return new TextDecoder().decode(readRegularFile(path, what, KEY_FILE_MAX));
  } catch (e) {
    throw fileError(
      e,
      () =>
        new UsageError({
          code: 'FILE_NOT_FOUND',
          message: `${what} ${path} (given with ${flag}) does not exist`,
        }),
      (m) => new UsageError({ code: 'FILE_UNREADABLE', message: `cannot read ${what} ${path}: ${m}` }),
    );
  }
}

export function readBundleFile(path: string): Uint8Array {
  try {
    return readRegularFile(path, 'bundle', BUNDLE_MAX);
  } catch (e) {
    throw fileError(
      e,
      () =>
        new NotFoundError({
          code: 'BUNDLE_NOT_FOUND',
          message: `no signature bundle at ${path}; sign the model first or point to the bundle with --bundle`,
        }),
      (m) => new UsageError({ code: 'FILE_UNREADABLE', message: `cannot read bundle ${path}: ${m}` }),
    );
  }
}
