/**
 * `modelseal verify-digest DIR --digest sha256:<hex>`: re-hash DIR (read only) with the
 * serialization given and fail unless its OMS subject digest is the given one. It is what the
 * verifier init container runs, with arguments taken from the admission decision; the resource
 * list (when given) only serves to name what differs.
 */
import { writeFileSync } from 'node:fs';
import { DigestMismatchError, isModelsealError, ModelsealError, UsageError } from '@modelseal/core';
import type { HashOptions } from '@modelseal/hashing';
import { diffManifests, type Manifest } from '@modelseal/manifest';

export type ManifestSource =
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'env'; readonly name: string; readonly value: string | undefined };

export interface VerifyDigestOptions {
  readonly path: string;
  readonly digest: string;
  readonly hash: HashOptions;
  readonly manifest?: ManifestSource;
  /** where Kubernetes reads a container's termination message (the init container passes /dev/termination-log) */
  readonly terminationLog?: string;
  /** names the volume in messages */
  readonly label?: string;
}

export interface VerifyDigestResult {
  readonly digest: string;
  readonly resources: number;
  readonly wallMs: number;
}

const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;
/** Kubernetes keeps at most 4096 bytes of a container's termination message */
export const TERMINATION_MAX = 4096;

export function checkDigestFlag(digest: string): string {
  if (!DIGEST_RE.test(digest)) {
    throw new UsageError({
      code: 'BAD_DIGEST',
      message: `--digest must be sha256:<64 lowercase hex>, got ${JSON.stringify(digest.slice(0, 80))}`,
    });
  }
  return digest;
}

export async function verifyDigest(o: VerifyDigestOptions): Promise<VerifyDigestResult> {
  const started = performance.now();
  try {
    // before hashing: a wrong resource list is refused at once, not after minutes of reading
    const expected = await loadManifest(o);
    const { hashModel } = await import('@modelseal/hashing');
    // no onProgress: it would stat every file first to learn a total
    const actual = await hashModel(o.path, o.hash).catch((e) => {
      throw contentError(o, e);
    });
    if (`sha256:${actual.subjectDigest}` !== o.digest) throw mismatch(o, actual, expected);
    const result = {
      digest: o.digest,
      resources: actual.resources.length,
      wallMs: performance.now() - started,
    };
    terminate(o, `verified: ${what(o)} holds ${o.digest} (${result.resources} resources)`);
    return result;
  } catch (e) {
    const error = isModelsealError(e)
      ? e
      : new ModelsealError('internal', { code: 'INTERNAL', message: String((e as Error)?.message ?? e) });
    terminate(o, `modelseal verify-digest: ${error.code}: ${error.message}`);
    throw error;
  }
}

async function loadManifest(o: VerifyDigestOptions): Promise<Manifest | undefined> {
  const m = o.manifest;
  if (m === undefined) return undefined;
  const { admittedManifest } = await import('./admitted-manifest.ts');
  switch (m.kind) {
    case 'file': {
      const { readBundleFile } = await import('../options/files.ts');
      return admittedManifest(readBundleFile(m.path, '--manifest-from'), o.digest, m.path);
    }
    case 'env':
      if (m.value === undefined || m.value === '') {
        throw new UsageError({
          code: 'MANIFEST_ENV_UNSET',
          message: `--manifest-env ${m.name}: the environment variable is not set`,
        });
      }
      return admittedManifest(m.value, o.digest, `environment variable ${m.name}`);
    default:
      return m satisfies never;
  }
}

const what = (o: VerifyDigestOptions) => (o.label ? `volume ${o.label} at ${o.path}` : o.path);

const list = (names: readonly string[]) =>
  names.length <= 10 ? names.join(', ') : `${names.slice(0, 10).join(', ')} and ${names.length - 10} more`;

function mismatch(o: VerifyDigestOptions, actual: Manifest, expected: Manifest | undefined): Error {
  const head = `${what(o)} does not hold the admitted bytes ${o.digest} (found sha256:${actual.subjectDigest})`;
  if (expected === undefined) {
    return new DigestMismatchError({
      code: 'ADMITTED_DIGEST_MISMATCH',
      message: `${head}; give the admitted bundle or resource list (--manifest-from) to name the files`,
      details: { digest: o.digest, actual: `sha256:${actual.subjectDigest}` },
    });
  }
  return diffError(head, o.digest, expected, actual);
}

function diffError(head: string, digest: string, expected: Manifest, actual: Manifest): Error {
  const diff = diffManifests(expected, actual);
  const parts: string[] = [];
  if (diff.parameters.length) parts.push(`serialization differs (${diff.parameters.join(', ')})`);
  if (diff.changed.length) parts.push(`changed: ${list(diff.changed)}`);
  if (diff.missing.length) parts.push(`missing: ${list(diff.missing)}`);
  if (diff.extra.length) parts.push(`extra: ${list(diff.extra)}`);
  return new DigestMismatchError({
    code: 'ADMITTED_DIGEST_MISMATCH',
    message: `${head}; ${parts.join('; ') || 'the files differ'}`,
    details: {
      digest,
      actual: `sha256:${actual.subjectDigest}`,
      changed: diff.changed,
      missing: diff.missing,
      extra: diff.extra,
      parameters: diff.parameters,
    },
  });
}

/** Walk failures that say the directory holds something the admitted serialization cannot have. */
const CONTENT_CODES = new Set([
  'SYMLINK_REFUSED',
  'SYMLINK_ESCAPES_ROOT',
  'BROKEN_SYMLINK',
  'SPECIAL_FILE',
  'BAD_FILE_NAME',
]);

function contentError(o: VerifyDigestOptions, e: unknown): unknown {
  if (!isModelsealError(e) || !CONTENT_CODES.has(e.code)) return e;
  // the walker's hint (e.g. "pass --allow-symlinks") is for signing; here the signer already chose
  const problem = e.message.split(';')[0];
  return new DigestMismatchError({
    code: 'ADMITTED_DIGEST_MISMATCH',
    message: `${what(o)} does not hold the admitted bytes ${o.digest}: ${problem} (${e.code}), which the admitted serialization does not allow`,
    details: { digest: o.digest, cause: e.code, ...(e.details ?? {}) },
  });
}

/** Best effort: a message that cannot be written must not turn a verdict into another one. */
function terminate(o: VerifyDigestOptions, message: string): void {
  if (o.terminationLog === undefined) return;
  const bytes = Buffer.from(message);
  const text =
    bytes.length <= TERMINATION_MAX ? message : `${bytes.subarray(0, TERMINATION_MAX - 3).toString()}...`;
  try {
    writeFileSync(o.terminationLog, text);
  } catch (e) {
    process.stderr.write(
      `warning: could not write the termination message to ${o.terminationLog}: ${(e as Error).message}\n`,
    );
  }
}
