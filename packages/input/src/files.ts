import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { InputError, isModelsealError, NotFoundError } from '@modelseal/core';

/**
 * The one way modelseal reads a file a user named (keys, certificates, bundles, policies, specs,
 * predicates, trusted roots, tokens, blobs), in the CLI, `policy test` and the webhook's main. Each condition has one code and one exit code,
 * whatever the command or flag:
 *
 *   FILE_NOT_FOUND   not_found (5)  nothing at that path
 *   NOT_A_FILE       input (6)      a directory, FIFO, socket or device: refused before any read
 *   FILE_TOO_LARGE   input (6)      over the cap for that kind of file, refused before any read
 *   FILE_UNREADABLE  input (6)      anything else the OS refuses (permissions, I/O)
 *
 * O_NONBLOCK keeps the open of a FIFO without a writer from hanging; fstat on the open
 * descriptor then refuses it, so no read ever waits on one.
 */
export interface UserFile {
  readonly path: string;
  /** what the file is, for messages: "public key", "bundle", "policy" */
  readonly what: string;
  /** the flag or argument that named it: "--key", "<bundle>"; absent where no flag did */
  readonly flag?: string;
  readonly maxBytes: number;
  /** appended to the FILE_NOT_FOUND message (e.g. how to make the missing file) */
  readonly missingHint?: string;
  /** appended to the FILE_TOO_LARGE message */
  readonly tooLargeHint?: string;
}

/** Caps by kind of file: far above any real one, low enough that a mistake is refused fast. */
export const FILE_LIMITS = Object.freeze({
  key: 1 << 20,
  /** an OMS bundle of 100,000 files is ~16 MiB; the store allows 64 MiB */
  bundle: 64 << 20,
  document: 4 << 20,
  trustedRoot: 16 << 20,
  signingConfig: 1 << 20,
  token: 64 << 10,
  /** sign-blob holds a blob in memory */
  blob: 1 << 30,
});

const label = (f: UserFile) => `${f.what} ${f.path}${f.flag ? ` (${f.flag})` : ''}`;

function openChecked(f: UserFile): { fd: number; size: number } {
  let fd: number;
  try {
    fd = openSync(f.path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw errnoError(e, f);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) {
      const kind = st.isDirectory() ? 'a directory' : st.isFIFO() ? 'a FIFO' : 'not a regular file';
      throw new InputError({
        code: 'NOT_A_FILE',
        message: `${label(f)} is ${kind}; name a regular file`,
        details: { path: f.path, flag: f.flag },
      });
    }
    if (st.size > f.maxBytes) {
      throw new InputError({
        code: 'FILE_TOO_LARGE',
        message: `${label(f)} is ${st.size} bytes, over the ${f.maxBytes}-byte limit${f.tooLargeHint ? `; ${f.tooLargeHint}` : ''}`,
        details: { path: f.path, flag: f.flag, size: st.size, limit: f.maxBytes },
      });
    }
    return { fd, size: st.size };
  } catch (e) {
    closeSync(fd);
    throw isModelsealError(e) ? e : errnoError(e, f);
  }
}

function errnoError(e: unknown, f: UserFile): Error {
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'ENOENT' || err.code === 'ENOTDIR') {
    return new NotFoundError({
      code: 'FILE_NOT_FOUND',
      message: `${label(f)} does not exist${f.missingHint ? `; ${f.missingHint}` : ''}`,
      details: { path: f.path, flag: f.flag },
    });
  }
  return new InputError({
    code: 'FILE_UNREADABLE',
    message: `cannot read ${label(f)}: ${err.message}`,
    details: { path: f.path, flag: f.flag, errno: err.code },
  });
}

/** The whole file, after the checks above. */
export function readUserBytes(f: UserFile): Uint8Array {
  const { fd, size } = openChecked(f);
  try {
    const buf = Buffer.alloc(size);
    let n = 0;
    while (n < size) {
      const r = readSync(fd, buf, n, size - n, n);
      if (r === 0) break;
      n += r;
    }
    return new Uint8Array(buf.buffer, buf.byteOffset, n);
  } catch (e) {
    throw isModelsealError(e) ? e : errnoError(e, f);
  } finally {
    closeSync(fd);
  }
}

/** SHA-256 of a file of any size (maxBytes still applies), read in 1 MiB steps. */
export function hashUserFile(f: UserFile): Uint8Array {
  const { fd } = openChecked(f);
  try {
    const hash = createHash('sha256');
    const buf = Buffer.alloc(1 << 20);
    for (;;) {
      const r = readSync(fd, buf, 0, buf.length, null);
      if (r === 0) break;
      hash.update(buf.subarray(0, r));
    }
    return new Uint8Array(hash.digest());
  } catch (e) {
    throw isModelsealError(e) ? e : errnoError(e, f);
  } finally {
    closeSync(fd);
  }
}

/** The size of a regular user file (same checks, nothing read). */
export function userFileSize(f: UserFile): number {
  const { fd, size } = openChecked(f);
  closeSync(fd);
  return size;
}
