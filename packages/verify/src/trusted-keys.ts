import type { KeyObject } from 'node:crypto';
import { keyId, loadPublicKey } from '@modelseal/keys';

/**
 * Trusted public keys by PEM text: parsing a key and deriving its id (a PEM export and a hash)
 * cost more than the signature check they lead to, and a policy names the same few keys for
 * every bundle. Bounded, since the PEM strings come from configuration that can be reloaded.
 */
const MAX_KEYS = 1024;
const parsed = new Map<string, { readonly key: KeyObject; readonly id: string }>();

export function trustedKey(pem: string): { readonly key: KeyObject; readonly id: string } {
  let entry = parsed.get(pem);
  if (!entry) {
    const key = loadPublicKey(pem); // throws a coded error, and nothing is remembered
    entry = { key, id: keyId(key) };
    if (parsed.size >= MAX_KEYS) parsed.clear();
    parsed.set(pem, entry);
  }
  return entry;
}
