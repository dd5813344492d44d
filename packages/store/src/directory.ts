import { constants } from 'node:fs';
import { lstat, mkdir, open, readdir, realpath, rename, rm } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { InternalError, isRecord, parseJson, sha256Hex } from '@modelseal/core';
import { BUNDLE_SUFFIX, bundleFileName, digestHex, predicateSlug } from './layout.ts';
import type { DirectoryStore, FoundBundles, StoredBundle, StoreFailure, StoreLimits } from './types.ts';

/** an OMS bundle of a 100,000-file dataset is ~16 MiB (every resource digest, base64) */
const DEFAULT_LIMITS: Required<StoreLimits> = { maxBundleBytes: 64 * 1024 * 1024, maxBundlesPerSubject: 256 };

/**
 * Bundles on disk as `<root>/sha256/<hex>/<predicate-slug>-<bundle-sha256-prefix>.sigstore.json`.
 * Everything read here is untrusted: anything odd is skipped and reported, never followed or fatal.
 */
export function directoryStore(root: string, limits: StoreLimits = {}): DirectoryStore {
  const cfg = Object.freeze({ ...DEFAULT_LIMITS, ...limits });

  async function find(subjectDigest: string, predicateType?: string): Promise<FoundBundles> {
    const hex = digestHex(subjectDigest);
    const prefix = predicateType === undefined ? undefined : `${predicateSlug(predicateType)}-`;
    const dir = join(root, 'sha256', hex);
    const failures: StoreFailure[] = [];
    const bundles: StoredBundle[] = [];
    const fail = (code: string, message: string, source: string) => failures.push({ code, message, source });

    const safe = await insideRoot(root, dir, fail);
    if (!safe) return Object.assign(bundles, { failures });
    let names: string[];
    try {
      names = (await readdir(dir)).filter((n) => n.endsWith(BUNDLE_SUFFIX)).sort();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return Object.assign(bundles, { failures });
      fail('STORE_UNREADABLE', `cannot list ${dir}: ${(e as Error).message}`, dir);
      return Object.assign(bundles, { failures });
    }
    if (prefix !== undefined) names = names.filter((n) => n.startsWith(prefix));
    if (names.length > cfg.maxBundlesPerSubject) {
      fail(
        'STORE_TOO_MANY_BUNDLES',
        `${dir} holds ${names.length} bundles; only the first ${cfg.maxBundlesPerSubject} were read`,
        dir,
      );
      names = names.slice(0, cfg.maxBundlesPerSubject);
    }
    for (const name of names) {
      const source = join(dir, name);
      const bytes = await readBundleFile(source, cfg.maxBundleBytes, fail);
      if (bytes === undefined) continue;
      const type = peekPredicateType(bytes, source, fail);
      if (type === null) continue;
      bundles.push(
        Object.freeze({
          bundle: bytes,
          source,
          ...(type !== undefined || predicateType ? { predicateType: predicateType ?? type } : {}),
        }),
      );
    }
    return Object.assign(bundles, { failures });
  }

  async function put(subjectDigest: string, predicateType: string, bundle: Uint8Array): Promise<string> {
    const dir = join(root, 'sha256', digestHex(subjectDigest));
    const target = join(dir, bundleFileName(predicateType, bundle));
    const temp = join(dir, `.tmp-${process.pid}-${sha256Hex(bundle).slice(0, 8)}-${Date.now()}`);
    try {
      await mkdir(dir, { recursive: true });
      if (!(await insideRoot(root, dir, () => undefined))) {
        throw new InternalError({
          code: 'STORE_UNSAFE_PATH',
          message: `${dir} resolves outside the store root ${root} (a symlink?); refusing to write`,
        });
      }
      const fh = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
      try {
        await fh.writeFile(bundle);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(temp, target);
      return target;
    } catch (e) {
      await rm(temp, { force: true });
      if (e instanceof InternalError) throw e;
      throw new InternalError({
        code: 'STORE_WRITE_FAILED',
        message: `cannot write the bundle into the store at ${dir}: ${(e as Error).message}`,
        cause: e,
      });
    }
  }

  return Object.freeze({ find, put, root });
}

/** The per-subject directory and its parent must be real directories whose real path stays in the root. */
async function insideRoot(
  root: string,
  dir: string,
  fail: (code: string, message: string, source: string) => void,
): Promise<boolean> {
  try {
    for (const p of [join(root, 'sha256'), dir]) {
      const st = await lstat(p);
      if (st.isSymbolicLink() || !st.isDirectory()) {
        fail('STORE_UNSAFE_PATH', `${p} is a symlink or not a directory; skipped`, p);
        return false;
      }
    }
    const [realRoot, realDir] = await Promise.all([realpath(root), realpath(dir)]);
    if (!realDir.startsWith(realRoot + sep)) {
      fail('STORE_UNSAFE_PATH', `${dir} resolves outside the store root; skipped`, dir);
      return false;
    }
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return true;
    fail('STORE_UNREADABLE', `cannot inspect ${dir}: ${(e as Error).message}`, dir);
    return false;
  }
}

async function readBundleFile(
  source: string,
  maxBytes: number,
  fail: (code: string, message: string, source: string) => void,
): Promise<Uint8Array | undefined> {
  let fh: Awaited<ReturnType<typeof open>> | undefined;
  try {
    // O_NOFOLLOW: never read through a symlink; O_NONBLOCK: a FIFO planted here must not hang us
    fh = await open(source, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    const st = await fh.stat();
    if (!st.isFile()) {
      fail('STORE_NOT_A_FILE', `${source} is not a regular file; skipped`, source);
      return undefined;
    }
    if (st.size > maxBytes) {
      fail(
        'STORE_BUNDLE_TOO_LARGE',
        `${source} is ${st.size} bytes, over the ${maxBytes}-byte limit; skipped`,
        source,
      );
      return undefined;
    }
    const buf = Buffer.alloc(st.size);
    const { bytesRead } = await fh.read(buf, 0, st.size, 0);
    return new Uint8Array(buf.subarray(0, bytesRead));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ELOOP' || code === 'EMLINK') {
      fail('STORE_SYMLINK', `${source} is a symlink; the store never follows links, skipped`, source);
    } else {
      fail('STORE_UNREADABLE', `cannot read ${source}: ${(e as Error).message}; skipped`, source);
    }
    return undefined;
  } finally {
    await fh?.close();
  }
}

/**
 * The predicate type as a hint for listing (unverified: the verifier decides what it really is).
 * Returns null when the file is not a JSON bundle at all, so it is skipped here, not at verify time.
 */
function peekPredicateType(
  bytes: Uint8Array,
  source: string,
  fail: (code: string, message: string, source: string) => void,
): string | undefined | null {
  let doc: unknown;
  try {
    doc = parseJson(bytes, source, { maxDepth: 32 });
  } catch (e) {
    fail('STORE_NOT_JSON', `${source} is not a JSON bundle (${(e as Error).message}); skipped`, source);
    return null;
  }
  if (!isRecord(doc)) {
    fail('STORE_NOT_JSON', `${source} is not a JSON object; skipped`, source);
    return null;
  }
  const env = doc['dsseEnvelope'];
  if (!isRecord(env) || typeof env['payload'] !== 'string') return undefined;
  try {
    const stmt = JSON.parse(Buffer.from(env['payload'], 'base64').toString('utf8')) as unknown;
    return isRecord(stmt) && typeof stmt['predicateType'] === 'string' ? stmt['predicateType'] : undefined;
  } catch {
    return undefined;
  }
}
