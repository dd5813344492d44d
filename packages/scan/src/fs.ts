/**
 * The file-system edge of @modelseal/scan (import `@modelseal/scan/fs`; the package index never
 * loads it): a ReadAt over a file descriptor, read with pread, so that scanning a 4 GiB file costs
 * the bytes the analysers ask for.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { type TensorDataClaim, tensorBundleData } from './formats/tf-bundle.ts';
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

/**
 * What the checkpoint indexes among a model's files say about its data shards (tensorBundleData),
 * keyed by the shard's name; `pathOf` maps a name to its file. TF data shards have no magic bytes,
 * so this is how a scan accepts them (ScanOptions.tensorData). An index that cannot be opened or
 * read adds nothing: scanning it reports why.
 */
export function tensorDataClaims(
  names: Iterable<string>,
  pathOf: (name: string) => string,
): Map<string, TensorDataClaim> {
  const claims = new Map<string, TensorDataClaim>();
  for (const name of names) {
    if (!name.endsWith('.index')) continue;
    let reader: FileReadAt | undefined;
    try {
      reader = openFileReader(pathOf(name));
      for (const [shard, claim] of tensorBundleData(name, reader)) claims.set(shard, claim);
    } catch {
      // unreadable: scanning it reports why
    } finally {
      reader?.close();
    }
  }
  return claims;
}
