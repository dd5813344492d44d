import { createHash } from 'node:crypto';
import type { HashType } from './types.ts';

/** One streaming hash; `digest()` ends it and returns the raw digest bytes. */
export interface StreamHasher {
  update(data: Uint8Array): void;
  digest(): Uint8Array;
}

export type HasherFactory = () => StreamHasher;

/** Python's hashlib.blake2b() defaults to a 64-byte digest, which is node's `blake2b512`. */
export const DIGEST_BYTES: Readonly<Record<HashType, number>> = Object.freeze({
  sha256: 32,
  blake2b: 64,
  blake3: 32,
});

/** The BLAKE3 implementation is loaded only when asked for, so sha256 runs never pay for it. */
export async function hasherFactory(type: HashType): Promise<HasherFactory> {
  switch (type) {
    case 'sha256':
      return () => nodeHasher('sha256');
    case 'blake2b':
      return () => nodeHasher('blake2b512');
    case 'blake3': {
      const { blake3 } = await import('@noble/hashes/blake3.js');
      return () => {
        const h = blake3.create();
        return { update: (d) => void h.update(d), digest: () => h.digest() };
      };
    }
    default:
      return unreachable(type);
  }
}

function nodeHasher(algorithm: string): StreamHasher {
  const h = createHash(algorithm);
  return { update: (d) => void h.update(d), digest: () => h.digest() };
}

export function unreachable(x: never): never {
  throw new Error(`unreachable: ${String(x)}`);
}
