import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { InputError, InternalError, ModelsealError, NotFoundError } from '@modelseal/core';
import type { HasherFactory } from './hasher.ts';

/** One unit of hashing work: a whole file, or the byte range [start, end) of one. */
export interface ReadTask {
  /** absolute path to open */
  readonly path: string;
  /** the resource name, for messages */
  readonly name: string;
  readonly start?: number;
  readonly end?: number;
  /** file size the shard plan was made for; a different size means the file changed */
  readonly expectedSize?: number;
}

export interface ReadHooks {
  /** called after every chunk; tests use it to change a file mid-hash deterministically */
  readonly afterChunk?: (bytesSoFar: number) => void;
  readonly onBytes?: (n: number) => void;
}

/*
 * O_NOFOLLOW: the walk decided this is a regular file (or resolved a symlink to its target);
 * a link swapped in afterwards must not redirect us. O_NONBLOCK: a FIFO swapped in must not hang
 * open(); fstat then rejects it.
 */
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/** Hashes one task synchronously with a caller-owned reusable buffer. Returns the raw digest and bytes read. */
export function hashTask(
  task: ReadTask,
  newHasher: HasherFactory,
  buf: Uint8Array,
  hooks: ReadHooks = {},
): { digest: Uint8Array; size: number } {
  let fd: number;
  try {
    fd = openSync(task.path, OPEN_FLAGS);
  } catch (e) {
    throw ioError(e, task.name, 'open');
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) {
      throw new InputError({
        code: 'SPECIAL_FILE',
        message: `"${task.name}" is not a regular file (it changed type after the directory was read); remove it or add it to --ignore-paths`,
        details: { name: task.name },
      });
    }
    const size = st.size;
    if (task.expectedSize !== undefined && size !== task.expectedSize)
      throw changed(task.name, task.expectedSize, size);
    const h = newHasher();
    const start = task.start ?? 0;
    const whole = task.end === undefined;
    const end = task.end ?? size;
    let pos = start;
    for (;;) {
      // A whole file is read asking for one byte past its size: a short read then proves EOF and a
      // full one proves growth, without a second fstat per file (that matters for 100k small files).
      const want = whole ? Math.min(buf.byteLength, end + 1 - pos) : Math.min(buf.byteLength, end - pos);
      if (want === 0) break;
      let n: number;
      try {
        n = readSync(fd, buf, 0, want, pos);
      } catch (e) {
        throw ioError(e, task.name, 'read');
      }
      if (n === 0) break;
      if (pos + n > end) throw changed(task.name, size, pos + n);
      h.update(n === buf.byteLength ? buf : buf.subarray(0, n));
      pos += n;
      hooks.onBytes?.(n);
      hooks.afterChunk?.(pos - start);
      if (whole && n < want && pos >= end) break;
    }
    if (pos !== end) throw changed(task.name, size, pos);
    if (!whole) {
      const after = fstatSync(fd).size;
      if (after !== size) throw changed(task.name, size, after);
    }
    return { digest: h.digest(), size: pos - start };
  } finally {
    closeSync(fd);
  }
}

function changed(name: string, expected: number, actual: number): InputError {
  return new InputError({
    code: 'FILE_CHANGED_WHILE_HASHING',
    message: `"${name}" changed size while it was being hashed (expected ${expected} bytes, saw ${actual}); make sure nothing writes to the model and run again`,
    details: { name, expected, actual },
  });
}

function ioError(e: unknown, name: string, op: string): ModelsealError {
  if (e instanceof ModelsealError) return e;
  const code = (e as NodeJS.ErrnoException)?.code;
  const why = (e as Error)?.message ?? String(e);
  switch (code) {
    case 'ENOENT':
      return new NotFoundError({
        code: 'FILE_VANISHED',
        message: `"${name}" disappeared while the model was being hashed; make sure nothing modifies the model and run again`,
        details: { name },
      });
    case 'ELOOP':
      return new InputError({
        code: 'SYMLINK_REFUSED',
        message: `"${name}" became a symbolic link while the model was being hashed; run again`,
        details: { name },
      });
    case 'EACCES':
    case 'EPERM':
      return new InputError({
        code: 'PERMISSION_DENIED',
        message: `cannot ${op} "${name}": permission denied; fix its permissions or add it to --ignore-paths`,
        details: { name },
      });
    default:
      return new InternalError({
        code: 'READ_FAILED',
        message: `cannot ${op} "${name}": ${why}`,
        details: { name, errno: code },
        cause: e,
      });
  }
}

export { ioError };
