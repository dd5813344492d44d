import { createHash } from 'node:crypto';
import { blake3 } from '@noble/hashes/blake3.js';
import type { HashType } from './types.ts';

/** One streaming hash; `digest()` ends it and returns lowercase hex. */
export interface StreamHasher {
  update(data: Uint8Array): void;
  digest(): string;
}

/** Python's hashlib.blake2b() defaults to a 64-byte digest, which is node's `blake2b512`. */
export function createHasher(type: HashType): StreamHasher {
  switch (type) {
    case 'sha256':
    case 'blake2b': {
      const h = createHash(type === 'sha256' ? 'sha256' : 'blake2b512');
      return { update: (d) => void h.update(d), digest: () => h.digest('hex') };
    }
    case 'blake3': {
      const h = blake3.create();
      return { update: (d) => void h.update(d), digest: () => Buffer.from(h.digest()).toString('hex') };
    }
    default:
      return unreachable(type);
  }
}

export function unreachable(x: never): never {
  throw new Error(`unreachable: ${String(x)}`);
}
