import { createRequire } from 'node:module';
import type { HashBatchAddon } from '@modelseal/hashing-native';

/*
 * Loading the batch addon, apart from using it: the CLI asks first thing whether it is there (to
 * skip starting JS hashing threads it would not need), and this module loads nothing but Node
 * built-ins, like threads.ts.
 */

/** undefined: not tried yet; null: not there */
let loaded: HashBatchAddon | null | undefined;
let disabled = false;

/** The compiled addon, if it was built at install and not switched off. */
export function nativeBatch(): HashBatchAddon | undefined {
  if (disabled) return undefined;
  loaded ??= loadAddon();
  return loaded ?? undefined;
}

/** For the process as a whole (the CLI's MODELSEAL_NATIVE_HASHING=off): hash on the JS path. */
export function disableNativeHashing(): void {
  disabled = true;
}

function loadAddon(): HashBatchAddon | null {
  try {
    const m = createRequire(import.meta.url)('@modelseal/hashing-native') as { addon?: HashBatchAddon };
    return m.addon ?? null;
  } catch {
    return null;
  }
}
