import type { HashType } from '@modelseal/manifest';
import { type Blake3Tree, blake3Engine } from './blake3.ts';

// Not `import`: an ES import of node:crypto builds its ES facade, which reads every export and so
// loads WebCrypto (~3 ms per thread, `--cpu-prof`). The CommonJS module has the same functions.
const { createHash, hash } = process.getBuiltinModule('node:crypto');

/** One streaming hash; `digest()` ends it and returns the raw digest bytes. */
export interface StreamHasher {
  update(data: Uint8Array): void;
  digest(): Uint8Array;
}

/**
 * A hash for one thread. `oneShot` serves files read in a single call: most dataset files are
 * small, and a Hash object per file costs an allocation and native memory that GC frees late.
 * Its result is only valid until the next `oneShot` call: callers copy it out at once.
 */
export interface HasherFactory {
  create(): StreamHasher;
  oneShot(data: Uint8Array): Uint8Array;
  /** BLAKE3's tree, when the implementation exposes it: one file can then hash on several threads */
  readonly tree?: Blake3Tree;
}

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
      return nodeHasher('sha256', DIGEST_BYTES.sha256);
    case 'blake2b':
      return nodeHasher('blake2b512', DIGEST_BYTES.blake2b);
    case 'blake3': {
      const e = await blake3Engine();
      return e.tree ? { ...e.factory, tree: e.tree } : e.factory;
    }
    default:
      return unreachable(type);
  }
}

function nodeHasher(algorithm: string, digestBytes: number): HasherFactory {
  // A digest as a Buffer costs an ArrayBuffer per file, ~20% of hashing a 4 KiB file. As a 'binary'
  // (latin1) string, one char per byte, it costs a short string, copied into one reused array.
  const out = new Uint8Array(digestBytes);
  return {
    create() {
      const h = createHash(algorithm);
      return { update: (d) => void h.update(d), digest: () => h.digest() };
    },
    oneShot: (d) => {
      const s = hash(algorithm, d, 'binary');
      for (let k = 0; k < digestBytes; k++) out[k] = s.charCodeAt(k);
      return out;
    },
  };
}

export function unreachable(x: never): never {
  throw new Error(`unreachable: ${String(x)}`);
}
