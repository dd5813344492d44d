import { FILE_LIMITS, readUserBytes } from '@modelseal/input';

export { FILE_LIMITS, hashUserFile, readUserBytes, type UserFile, userFileSize } from '@modelseal/input';

/** A small text file (key, certificate, trusted root) named with a flag. */
export function readUserFile(path: string, what: string, flag: string, maxBytes: number = FILE_LIMITS.key) {
  return new TextDecoder().decode(readUserBytes({ path, what, flag, maxBytes }));
}

/** A signature bundle; a missing default bundle means the model was never signed. */
export function readBundleFile(path: string, flag = '--bundle'): Uint8Array {
  return readUserBytes({
    path,
    what: 'bundle',
    flag,
    maxBytes: FILE_LIMITS.bundle,
    missingHint: 'sign the model first or point to the bundle with --bundle',
  });
}
