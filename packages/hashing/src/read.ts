import type { Blake3Tree } from './blake3.ts';
import { HashFailure } from './failure.ts';
import type { HasherFactory, StreamHasher } from './hasher.ts';
import { subtreeHasher } from './tree.ts';

// Not `import`: this module is most of what a hashing thread loads, and an ES import of node:fs
// builds its ES facade, which reads every export and so loads the streams (~5 ms, `--cpu-prof`).
const { closeSync, constants, fstatSync, openSync, readSync } = process.getBuiltinModule('node:fs');

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
  /** a BLAKE3 range of a split file: the result is its chaining value (tree.ts) */
  readonly subtree?: boolean;
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

export interface TaskResult {
  readonly digest: Uint8Array;
  readonly size: number;
}

/** Hashes one task synchronously with a caller-owned reusable buffer. Returns the raw digest and bytes read. */
export function hashTask(
  task: ReadTask,
  engine: HasherFactory,
  buf: Uint8Array,
  hooks?: ReadHooks,
): TaskResult {
  const steps = hashSteps(task, engine, buf, hooks);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/**
 * The same work, paused after every chunk that leaves more to read, so that a thread with other
 * duties (the main thread) can yield between chunks of a big file. Returning the generator early
 * closes the file.
 */
export function* hashSteps(
  task: ReadTask,
  engine: HasherFactory,
  buf: Uint8Array,
  hooks: ReadHooks = {},
): Generator<void, TaskResult, void> {
  let fd: number;
  try {
    fd = openSync(task.path, OPEN_FLAGS);
  } catch (e) {
    throw ioError(e, task.name, 'open');
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw notRegular(task.name);
    const size = st.size;
    if (task.expectedSize !== undefined && size !== task.expectedSize)
      throw changed(task.name, task.expectedSize, size);
    if (task.subtree && engine.tree?.subtreeCvFd) return mappedRange(task, fd, size, engine.tree, hooks);
    let h: StreamHasher | undefined;
    let single: Uint8Array | undefined;
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
      const chunk = n === buf.byteLength ? buf : prefix(buf, n);
      if (h === undefined && whole && pos === start && n === end - start && n < want) {
        single = engine.oneShot(chunk);
      } else {
        h ??= task.subtree ? rangeHasher(engine, start) : engine.create();
        h.update(chunk);
      }
      pos += n;
      hooks.onBytes?.(n);
      hooks.afterChunk?.(pos - start);
      if (whole && n < want && pos >= end) break;
      yield;
    }
    if (pos !== end) throw changed(task.name, size, pos);
    if (!whole) {
      const after = fstatSync(fd).size;
      if (after !== size) throw changed(task.name, size, after);
    }
    const digest = single ?? h?.digest() ?? engine.oneShot(buf.subarray(0, 0));
    return { digest, size: pos - start };
  } finally {
    closeSync(fd);
  }
}

/** A BLAKE3 range hashed from a mapping of the file: one native call, no copy of the bytes. */
function mappedRange(
  task: ReadTask,
  fd: number,
  size: number,
  tree: Blake3Tree,
  hooks: ReadHooks,
): TaskResult {
  const start = task.start ?? 0;
  const end = task.end ?? size;
  const digest = new Uint8Array(32);
  const rc = tree.subtreeCvFd!(fd, start, end - start, start / 1024, digest);
  if (rc === 1) throw changed(task.name, size, fstatSync(fd).size);
  if (rc < 0) {
    throw new HashFailure('internal', 'READ_FAILED', `cannot map "${task.name}" (errno ${-rc})`, {
      name: task.name,
      errno: -rc,
    });
  }
  hooks.onBytes?.(end - start);
  hooks.afterChunk?.(end - start);
  const after = fstatSync(fd).size;
  if (after !== size) throw changed(task.name, size, after);
  return { digest, size: end - start };
}

function rangeHasher(engine: HasherFactory, start: number): StreamHasher {
  if (!engine.tree)
    throw new HashFailure('internal', 'READ_FAILED', 'a BLAKE3 range without the BLAKE3 tree');
  return subtreeHasher(engine.tree, start);
}

/** the last view `prefix` made; one per thread, as hashSteps runs one file at a time per thread */
let lastPrefix: Uint8Array = new Uint8Array(0);
/** `buf.subarray(0, n)`, reused while n stays the same: many datasets' files all have one size. */
function prefix(buf: Uint8Array, n: number): Uint8Array {
  if (
    lastPrefix.buffer !== buf.buffer ||
    lastPrefix.byteOffset !== buf.byteOffset ||
    lastPrefix.length !== n
  ) {
    lastPrefix = buf.subarray(0, n);
  }
  return lastPrefix;
}

export function notRegular(name: string): HashFailure {
  return new HashFailure(
    'input',
    'SPECIAL_FILE',
    `"${name}" is not a regular file (it changed type after the directory was read); remove it or ignore that path`,
    { name },
  );
}

export function changed(name: string, expected: number, actual: number): HashFailure {
  return new HashFailure(
    'input',
    'FILE_CHANGED_WHILE_HASHING',
    `"${name}" changed size while it was being hashed (expected ${expected} bytes, saw ${actual}); make sure nothing writes to the model and run again`,
    { name, expected, actual },
  );
}

export function ioError(e: unknown, name: string, op: string): HashFailure {
  if (e instanceof HashFailure) return e;
  const code = (e as NodeJS.ErrnoException)?.code;
  const why = (e as Error)?.message ?? String(e);
  switch (code) {
    case 'ENOENT':
      return new HashFailure(
        'not_found',
        'FILE_VANISHED',
        `"${name}" disappeared while the model was being hashed; make sure nothing modifies the model and run again`,
        { name },
      );
    case 'ELOOP':
      return new HashFailure(
        'input',
        'SYMLINK_REFUSED',
        `"${name}" became a symbolic link while the model was being hashed; run again`,
        { name },
      );
    case 'EACCES':
    case 'EPERM':
      return new HashFailure(
        'input',
        'PERMISSION_DENIED',
        `cannot ${op} "${name}": permission denied; fix its permissions or ignore that path`,
        { name },
      );
    default:
      return new HashFailure('internal', 'READ_FAILED', `cannot ${op} "${name}": ${why}`, {
        name,
        errno: code,
      });
  }
}
