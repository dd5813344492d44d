import { createRequire } from 'node:module';
import type { HashBatchAddon } from '@modelseal/hashing-native';

/*
 * Loading the batch addon, apart from using it: the CLI asks first thing whether it is there (to
 * skip starting JS hashing threads it would not need), and this module loads nothing but Node
 * built-ins, like threads.ts.
 */

let loaded: { readonly addon: HashBatchAddon | undefined; readonly reason: string | undefined } | undefined;
let disabled = false;

/** The compiled addon, if it was built at install and not switched off. */
export function nativeBatch(): HashBatchAddon | undefined {
  if (disabled) return undefined;
  loaded ??= loadAddon();
  return loaded.addon;
}

/** Why `nativeBatch()` has nothing, for a note. */
export function nativeBatchMissing(): string | undefined {
  if (disabled) return 'switched off (MODELSEAL_NATIVE_HASHING=off)';
  loaded ??= loadAddon();
  return loaded.addon ? undefined : loaded.reason;
}

/** For the process as a whole (the CLI's MODELSEAL_NATIVE_HASHING=off): hash on the JS path. */
export function disableNativeHashing(): void {
  disabled = true;
}

function loadAddon(): { addon: HashBatchAddon | undefined; reason: string | undefined } {
  try {
    const m = createRequire(import.meta.url)('@modelseal/hashing-native') as {
      addon?: HashBatchAddon;
      reason?: string;
    };
    return { addon: m.addon, reason: m.reason };
  } catch (e) {
    return { addon: undefined, reason: (e as Error)?.message ?? String(e) };
  }
}
