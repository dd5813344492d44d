/**
 * `@modelseal/verify/load`: the one way a trusted root enters modelseal from outside. Edges only
 * (CLI flags, `policy test`, the webhook's main): it reads a file, which nothing under
 * `@modelseal/verify` itself may do, so it is a subpath of its own.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { InputError, NotFoundError, parseJson, UsageError } from '@modelseal/core';
import { publicGoodTrustedRoot } from './trust/public-good.ts';
import { parseTrustedRoot } from './trust/trusted-root.ts';
import type { TrustedRoot } from './types.ts';

/** The public-good root is ~7 KiB; private instances with long histories stay far below this. */
export const TRUSTED_ROOT_MAX_BYTES = 16 << 20;

/**
 * A trusted_root.json file, parsed and checked strictly; without a path, the public-good root
 * shipped with modelseal (offline, no TUF fetch). Codes: FILE_NOT_FOUND, NOT_A_FILE,
 * FILE_TOO_LARGE, FILE_UNREADABLE, then the JSON_* and TRUST_ROOT_* codes of its content.
 */
export function loadTrustedRoot(path?: string): TrustedRoot {
  if (path === undefined) return publicGoodTrustedRoot();
  const what = `trusted root ${path}`;
  return parseTrustedRoot(parseJson(readFile(path, what), what, { maxBytes: TRUSTED_ROOT_MAX_BYTES }), what);
}

/** O_NONBLOCK: a FIFO named as the root must not hang the open; only regular files are read. */
function readFile(path: string, what: string): Uint8Array {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT')
      throw new NotFoundError({ code: 'FILE_NOT_FOUND', message: `${what} does not exist` });
    throw new InputError({ code: 'FILE_UNREADABLE', message: `${what} cannot be read: ${err.message}` });
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new UsageError({ code: 'NOT_A_FILE', message: `${what} is not a regular file` });
    if (st.size > TRUSTED_ROOT_MAX_BYTES) {
      throw new InputError({
        code: 'FILE_TOO_LARGE',
        message: `${what} is ${st.size} bytes, over the ${TRUSTED_ROOT_MAX_BYTES}-byte limit`,
      });
    }
    const buf = Buffer.alloc(st.size);
    let n = 0;
    while (n < st.size) {
      const r = readSync(fd, buf, n, st.size - n, n);
      if (r === 0) break;
      n += r;
    }
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}
