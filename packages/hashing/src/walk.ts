import { type Dirent, readdirSync, realpathSync, statSync } from 'node:fs';
import { InputError, NotFoundError } from '@modelseal/core';
import { compareCodePoints } from '@modelseal/manifest';
import { ioError } from './read.ts';

/** A regular file to hash: its resource name and the path to open. */
export interface WalkedFile {
  readonly name: string;
  readonly path: string;
}

export interface WalkOptions {
  /** normalized relative paths; a match also skips everything below it */
  readonly ignore: ReadonlySet<string>;
  readonly allowSymlinks: boolean;
  /** called with each next `emitEvery` files as soon as the walk has them (in canonical order) */
  readonly onFiles?: (files: readonly WalkedFile[]) => void;
  readonly emitEvery?: number;
}

export interface WalkResult {
  /** the real path of the model */
  readonly root: string;
  /** the model is one file, named `.` */
  readonly single: boolean;
  /** in canonical OMS order (component by component, by code point) */
  readonly files: WalkedFile[];
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Lists the files of a model the way model_signing's `glob("**\/*")` sees them, minus ignored
 * paths. No per-file stat: readdir's entry types are enough for everything but symlinks.
 */
export function walkModel(input: string, opts: WalkOptions): WalkResult {
  let root: string;
  let isDir: boolean;
  try {
    root = realpathSync(input);
    const st = statSync(root);
    if (!st.isFile() && !st.isDirectory()) throw specialFile(input);
    isDir = st.isDirectory();
  } catch (e) {
    if ((e as NodeJS.ErrnoException)?.code === 'ENOENT') {
      throw new NotFoundError({
        code: 'MODEL_NOT_FOUND',
        message: `model path "${input}" does not exist (or is a broken symbolic link)`,
        details: { path: input },
      });
    }
    if (e instanceof InputError) throw e;
    throw ioError(e, input, 'open');
  }
  if (!isDir) return { root, single: true, files: [{ name: '.', path: root }] };

  const files: WalkedFile[] = [];
  // A path can be ignored only if its last component ends an ignore path: testing the bare name
  // first spares building and hashing a relative path per entry (a third of the walk's time).
  const ignoredNames = new Set<string>();
  for (const p of opts.ignore) ignoredNames.add(p.slice(p.lastIndexOf('/') + 1));
  const hf = huggingFaceSnapshot(root);
  const scan: Scan = { root, blobs: hf && `${hf.repoDir}/blobs/`, opts, ignoredNames, files };
  // Depth first with each directory's entries sorted is the canonical order (component by
  // component, by code point), so nobody sorts the whole list: sorting 20k full paths cost ~25 ms,
  // each folder's bare names a few. An explicit stack, not recursion: deep trees must not
  // overflow the JS stack.
  const stack: Frame[] = [readFrame(scan, '')];
  const every = opts.onFiles ? Math.max(1, opts.emitEvery ?? 4096) : Number.POSITIVE_INFINITY;
  let emitted = 0;
  while (stack.length > 0) {
    const child = scanDirectory(scan, stack[stack.length - 1]!);
    if (child === undefined) stack.pop();
    else stack.push(readFrame(scan, child));
    while (files.length - emitted >= every) {
      opts.onFiles?.(files.slice(emitted, emitted + every));
      emitted += every;
    }
  }
  return { root, single: false, files };
}

interface Scan {
  readonly root: string;
  /** a Hugging Face cache snapshot's `blobs/` folder (with a trailing slash), where its links may point */
  readonly blobs: string | undefined;
  readonly opts: WalkOptions;
  readonly ignoredNames: ReadonlySet<string>;
  readonly files: WalkedFile[];
}

/** A directory being listed: its entries in canonical order and how far we are. */
interface Frame {
  /** relative to the root; '' for the root */
  readonly rel: string;
  readonly dir: string;
  readonly entries: Dirent[];
  next: number;
}

const SURROGATE = /[\uD800-\uDFFF]/;
const byUnits = (a: Dirent, b: Dirent) => (a.name < b.name ? -1 : 1);
const byCodePoints = (a: Dirent, b: Dirent) => compareCodePoints(a.name, b.name);

function readFrame(scan: Scan, rel: string): Frame {
  const dir = rel === '' ? scan.root : `${scan.root}/${rel}`;
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    throw ioError(e, rel === '' ? '.' : rel, 'read directory');
  }
  // UTF-16 order is code point order unless a surrogate is involved; names in one folder differ
  let plain = true;
  for (const d of entries) if (SURROGATE.test(d.name)) plain = false;
  entries.sort(plain ? byUnits : byCodePoints);
  return { rel, dir, entries, next: 0 };
}

/*
 * Lists a directory's entries from where it stopped, up to the next subdirectory, which it
 * returns (undefined once the directory is done). Apart from walkModel: V8 optimizes this small
 * hot loop on its own, where optimizing it inside walkModel meant compiling (and, after a deopt,
 * recompiling) the whole walk.
 */
function scanDirectory(scan: Scan, frame: Frame): string | undefined {
  const { opts, ignoredNames, files } = scan;
  const { rel, dir, entries } = frame;
  while (frame.next < entries.length) {
    const d = entries[frame.next++]!;
    const name = d.name;
    if (name.includes('\uFFFD')) checkUtf8Name(dir, rel, name);
    const childRel = rel === '' ? name : `${rel}/${name}`;
    if (ignoredNames.has(name) && opts.ignore.has(childRel)) continue;
    const abs = `${dir}/${name}`;
    if (d.isFile()) files.push({ name: childRel, path: abs });
    else if (d.isDirectory()) return childRel;
    else if (d.isSymbolicLink()) {
      const target = resolveLink(scan, abs, childRel);
      if (target !== undefined) files.push({ name: childRel, path: target });
    } else throw specialFile(childRel);
  }
  return undefined;
}

/** A Hugging Face hub cache snapshot: `<cache>/models--org--name/snapshots/<revision>[/sub]`. */
export interface HuggingFaceSnapshot {
  /** `org/name` */
  readonly repo: string;
  readonly kind: 'models' | 'datasets' | 'spaces';
  readonly revision: string;
  /** the repository folder holding `blobs/`, `refs/` and `snapshots/` */
  readonly repoDir: string;
}

const HF_SNAPSHOT = /^(.*\/(models|datasets|spaces)--([^/]+))\/snapshots\/([^/]+)(?:\/.*)?$/s;

/** The cache snapshot a real (symlink-free) path lies in, if any. */
export function huggingFaceSnapshot(realPath: string): HuggingFaceSnapshot | undefined {
  const m = HF_SNAPSHOT.exec(realPath);
  if (!m) return undefined;
  return {
    repo: (m[3] as string).split('--').join('/'),
    kind: m[2] as HuggingFaceSnapshot['kind'],
    revision: m[4] as string,
    repoDir: m[1] as string,
  };
}

/**
 * model_signing follows a symlink to a file and hashes the target's bytes under the link's name;
 * a symlink to a directory is listed but never descended into, so it contributes nothing. We add
 * one rule: the target must stay inside the model, or, in a Hugging Face cache snapshot (whose
 * files are all links to content-addressed blobs), be a blob of the same repository.
 */
function resolveLink(scan: Scan, abs: string, rel: string): string | undefined {
  const root = scan.root;
  if (!scan.opts.allowSymlinks) {
    throw new InputError({
      code: 'SYMLINK_REFUSED',
      message: `"${rel}" is a symbolic link, and symbolic links are not followed; allow them, or ignore that path`,
      details: { name: rel },
    });
  }
  let target: string;
  try {
    target = realpathSync(abs);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException)?.code;
    if (code === 'ENOENT' || code === 'ELOOP') {
      throw new InputError({
        code: 'BROKEN_SYMLINK',
        message: `symbolic link "${rel}" points to nothing (or loops); fix or remove it, or ignore that path`,
        details: { name: rel },
      });
    }
    throw ioError(e, rel, 'resolve');
  }
  const inBlobs =
    scan.blobs !== undefined && target.startsWith(scan.blobs) && !target.includes('/', scan.blobs.length);
  if (!target.startsWith(`${root}/`) && !inBlobs) {
    throw new InputError({
      code: 'SYMLINK_ESCAPES_ROOT',
      message: `symbolic link "${rel}" points outside the model directory (${target})${scan.blobs ? `, and not into this Hugging Face cache repository's ${scan.blobs}` : ''}; copy the file into the model instead`,
      details: { name: rel, target },
    });
  }
  const st = statSync(target);
  if (st.isFile()) return target;
  if (st.isDirectory()) return undefined;
  throw specialFile(rel);
}

/** readdir replaces invalid UTF-8 with U+FFFD; re-read as bytes to tell a real U+FFFD from a broken name. */
function checkUtf8Name(dir: string, rel: string, name: string): void {
  const raw = readdirSync(dir, { encoding: 'buffer' });
  for (const b of raw) {
    let decoded: string;
    try {
      decoded = UTF8.decode(b);
    } catch {
      const shown = rel === '' ? b.toString('latin1') : `${rel}/${b.toString('latin1')}`;
      throw new InputError({
        code: 'BAD_FILE_NAME',
        message: `a file name in "${rel === '' ? '.' : rel}" is not valid UTF-8 (${JSON.stringify(shown)}); rename it, signatures name files in UTF-8`,
        details: { directory: rel === '' ? '.' : rel, bytes: b.toString('hex') },
      });
    }
    if (decoded === name) return;
  }
}

function specialFile(rel: string): InputError {
  return new InputError({
    code: 'SPECIAL_FILE',
    message: `"${rel}" is not a regular file or directory (FIFO, socket or device); remove it or ignore that path`,
    details: { name: rel },
  });
}
