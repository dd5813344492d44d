import type { HashType } from '@modelseal/manifest';

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
    case 'blake3':
      return (await wasmBlake3()) ?? (await nobleBlake3());
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

/** BLAKE3 of bytes (i * 31 + 7) & 255 for i < 2^20 + 3, computed with @noble/hashes. */
const BLAKE3_CHECK = 'abb731702595370957097d46027e3832e5d6f8f50220c0cc7e835c4274fb44eb';

/**
 * hash-wasm's BLAKE3 is about 20x faster than the pure-JS one. A WASM BLAKE3 build elsewhere gave
 * wrong digests across 1 MiB updates, so it is used only after it reproduces a known digest fed
 * in two updates across that boundary; otherwise we fall back to @noble/hashes.
 */
async function wasmBlake3(): Promise<HasherFactory | undefined> {
  try {
    const { createBLAKE3 } = await import('hash-wasm');
    const inst = await createBLAKE3();
    const probe = new Uint8Array((1 << 20) + 3);
    for (let i = 0; i < probe.length; i++) probe[i] = (i * 31 + 7) & 255;
    inst.init();
    inst.update(probe.subarray(0, 1 << 20));
    inst.update(probe.subarray(1 << 20));
    if (inst.digest('hex') !== BLAKE3_CHECK) return undefined;
    const spare = await nobleBlake3();
    let busy = false;
    const create = (): StreamHasher => {
      // one WASM instance per thread; a second concurrent hash (never expected) takes the slow path
      if (busy) return spare.create();
      busy = true;
      inst.init();
      return {
        update: (d) => void inst.update(d),
        digest: () => {
          busy = false;
          return inst.digest('binary');
        },
      };
    };
    return {
      create,
      oneShot: (d) => {
        const h = create();
        h.update(d);
        return h.digest();
      },
    };
  } catch {
    return undefined;
  }
}

async function nobleBlake3(): Promise<HasherFactory> {
  const { blake3 } = await import('@noble/hashes/blake3.js');
  return {
    create() {
      const h = blake3.create();
      return { update: (d) => void h.update(d), digest: () => h.digest() };
    },
    oneShot: (d) => blake3(d),
  };
}
