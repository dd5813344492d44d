/**
 * The file-system edge of @modelseal/scan (import `@modelseal/scan/fs`; the package index never
 * loads it): a ReadAt over a file descriptor, read with pread, so that scanning a 4 GiB file costs
 * the bytes the analysers ask for.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { ReadAt } from './reader.ts';

export interface FileReadAt extends ReadAt {
  close(): void;
}

export function openFileReader(path: string): FileReadAt {
  const fd = openSync(path, 'r');
  let size: number;
  try {
    size = fstatSync(fd).size;
  } catch (e) {
    closeSync(fd);
    throw e;
  }
  return {
    size,
    read(offset, length) {
      const n = Math.max(0, Math.min(length, size - offset));
      const buf = new Uint8Array(n);
      let got = 0;
      while (got < n) {
        const r = readSync(fd, buf, got, n - got, offset + got);
        if (r === 0) break;
        got += r;
      }
      return got === n ? buf : buf.subarray(0, got);
    },
    close: () => closeSync(fd),
  };
}
