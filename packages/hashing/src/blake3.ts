import type { HasherFactory, StreamHasher } from './hasher.ts';

// Not `import`: hashing threads load this module, and an ES import builds the module's ES facade.
const { createRequire } = process.getBuiltinModule('node:module');

/**
 * BLAKE3 implementations, fastest first: the native addon (the BLAKE3 C library with its SIMD
 * code, ~4 GB/s per thread here), hash-wasm (~0.2 GB/s), @noble/hashes (pure JS). Each is used
 * only after it reproduces known digests; the first that does wins.
 */

/**
 * The BLAKE3 tree, for hashing one file on several threads. A complete subtree (whole chunks,
 * starting at a chunk index that is a multiple of its power-of-two size, or the input's last
 * piece) has a chaining value; parents join two of them, the topmost with `root` set.
 */
export interface Blake3Tree {
  subtreeCv(data: Uint8Array, chunkCounter: number, out: Uint8Array): void;
  parentCv(block: Uint8Array, root: boolean, out: Uint8Array): void;
  /**
   * subtreeCv over [offset, offset + length) of an open file, mapped rather than read (no copy out
   * of the page cache): 0 when done, 1 when the file ended early, -errno when it cannot be mapped
   */
  subtreeCvFd?(fd: number, offset: number, length: number, chunkCounter: number, out: Uint8Array): number;
}

export interface Blake3Engine {
  readonly factory: HasherFactory;
  readonly backend: 'native' | 'wasm' | 'noble';
  /** only the native addon exposes the tree */
  readonly tree?: Blake3Tree;
  /** why a faster implementation was not used */
  readonly fallback?: string;
}

/** BLAKE3 of bytes (i * 31 + 7) & 255 for i < 2^20 + 3, computed with @noble/hashes. */
const PROBE_HEX = 'abb731702595370957097d46027e3832e5d6f8f50220c0cc7e835c4274fb44eb';
/** BLAKE3 of empty input, from the BLAKE3 specification's test vectors */
const EMPTY_HEX = 'af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262';
const MiB = 1 << 20;

function probe(): Uint8Array {
  const p = new Uint8Array(MiB + 3);
  for (let i = 0; i < p.length; i++) p[i] = (i * 31 + 7) & 255;
  return p;
}

const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

interface NativeAddon {
  createHash(): { update(d: Uint8Array): void; digest(): Uint8Array };
  hashInto(data: Uint8Array, out: Uint8Array): void;
  subtreeCv(data: Uint8Array, chunkCounter: number, out: Uint8Array): void;
  parentCv(block: Uint8Array, root: boolean, out: Uint8Array): void;
  subtreeCvFd?(fd: number, offset: number, length: number, chunkCounter: number, out: Uint8Array): number;
}

let loaded: Promise<Blake3Engine> | undefined;

/**
 * Once per thread. `MODELSEAL_BLAKE3=wasm|noble` skips the faster ones (comparisons);
 * `MODELSEAL_BLAKE3_ADDON=path` loads another addon file in place of the package's (tests use it
 * to check the fallback on a broken or wrong addon).
 */
export function blake3Engine(): Promise<Blake3Engine> {
  loaded ??= pick(process.env.MODELSEAL_BLAKE3);
  return loaded;
}

async function pick(forced: string | undefined): Promise<Blake3Engine> {
  const reasons: string[] = [];
  if (forced !== 'wasm' && forced !== 'noble') {
    const n = nativeBlake3(process.env.MODELSEAL_BLAKE3_ADDON);
    if ('engine' in n) return n.engine;
    reasons.push(n.why);
  }
  if (forced !== 'noble') {
    const w = await wasmBlake3();
    if ('engine' in w) return { ...w.engine, fallback: reasons.join('; ') || undefined };
    reasons.push(w.why);
  }
  return { ...(await nobleBlake3()), fallback: reasons.join('; ') || undefined };
}

type Attempt = { engine: Blake3Engine } | { why: string };

function nativeBlake3(override: string | undefined): Attempt {
  let addon: NativeAddon;
  try {
    const require = createRequire(import.meta.url);
    const dir = require.resolve('@c4312/blake3-native/package.json').slice(0, -'package.json'.length);
    // the addon itself, not the package's JS wrapper (a Transform stream per hash, and a helper
    // package we do not need)
    addon = require(override || `${dir}build/Release/blake3.node`) as NativeAddon;
  } catch (e) {
    return { why: `the native BLAKE3 addon did not load (${(e as Error)?.message?.split('\n')[0]})` };
  }
  try {
    const why = selfTest(addon);
    if (why) return { why: `the native BLAKE3 addon failed its self-test (${why})` };
  } catch (e) {
    return { why: `the native BLAKE3 addon failed its self-test (${(e as Error)?.message})` };
  }
  const out = new Uint8Array(32);
  const factory: HasherFactory = {
    create(): StreamHasher {
      const h = addon.createHash();
      return { update: (d) => h.update(d), digest: () => h.digest() };
    },
    oneShot(d) {
      addon.hashInto(d, out);
      return out;
    },
  };
  const tree: Blake3Tree = {
    subtreeCv: addon.subtreeCv,
    parentCv: addon.parentCv,
    ...(typeof addon.subtreeCvFd === 'function' && process.env.MODELSEAL_BLAKE3_MMAP !== 'off'
      ? { subtreeCvFd: addon.subtreeCvFd }
      : {}),
  };
  return { engine: { factory, backend: 'native', tree } };
}

/** A wrong answer from any entry point we use makes the addon unusable. */
function selfTest(addon: NativeAddon): string | undefined {
  const p = probe();
  const out = new Uint8Array(32);
  addon.hashInto(new Uint8Array(0), out);
  if (hex(out) !== EMPTY_HEX) return 'empty input';
  const h = addon.createHash();
  h.update(p.subarray(0, MiB));
  h.update(p.subarray(MiB));
  if (hex(h.digest()) !== PROBE_HEX) return 'streamed across a 1 MiB update';
  // the same input as a tree of two subtrees: 1024 chunks, then the last 3 bytes at chunk 1024
  const block = new Uint8Array(64);
  addon.subtreeCv(p.subarray(0, MiB), 0, block.subarray(0, 32));
  addon.subtreeCv(p.subarray(MiB), MiB / 1024, block.subarray(32));
  addon.parentCv(block, true, out);
  if (hex(out) !== PROBE_HEX) return 'subtree chaining values';
  return undefined;
}

/**
 * hash-wasm's BLAKE3 is about 20x faster than the pure-JS one. A WASM BLAKE3 build elsewhere gave
 * wrong digests across 1 MiB updates, so it is used only after it reproduces a known digest fed
 * in two updates across that boundary.
 */
async function wasmBlake3(): Promise<Attempt> {
  try {
    const { createBLAKE3 } = await import('hash-wasm');
    const inst = await createBLAKE3();
    const p = probe();
    inst.init();
    inst.update(p.subarray(0, MiB));
    inst.update(p.subarray(MiB));
    if (inst.digest('hex') !== PROBE_HEX) return { why: 'the WASM BLAKE3 failed its self-test' };
    const spare = (await nobleBlake3()).factory;
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
    const factory: HasherFactory = {
      create,
      oneShot: (d) => {
        const h = create();
        h.update(d);
        return h.digest();
      },
    };
    return { engine: { factory, backend: 'wasm' } };
  } catch (e) {
    return { why: `the WASM BLAKE3 did not load (${(e as Error)?.message})` };
  }
}

async function nobleBlake3(): Promise<Blake3Engine> {
  const { blake3 } = await import('@noble/hashes/blake3.js');
  const factory: HasherFactory = {
    create() {
      const h = blake3.create();
      return { update: (d) => void h.update(d), digest: () => h.digest() };
    },
    oneShot: (d) => blake3(d),
  };
  return { factory, backend: 'noble' };
}
