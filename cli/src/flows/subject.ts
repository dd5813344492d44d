import { basename, resolve } from 'node:path';
import { UsageError } from '@modelseal/core';
import type { Manifest, Serialization } from '@modelseal/manifest';
import { progressReporter } from '../io.ts';
import { bundlesToSkip, locateModel } from '../options/model.ts';

/** The serialization `sign` uses by default, so a dataset's provenance digest matches its signature. */
export const DEFAULT_SERIALIZATION: Serialization = Object.freeze({
  method: 'files',
  hashType: 'sha256',
  allowSymlinks: false,
  ignorePaths: [],
});

export interface Subject {
  readonly name: string;
  /** `sha256:<hex>` */
  readonly digest: string;
}

const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;

/** `name@sha256:<hex>` (bytes live elsewhere, e.g. an OCI manifest) -> subject, no hashing. */
export function subjectFromRef(ref: string): Subject {
  const at = ref.lastIndexOf('@');
  const name = at > 0 ? ref.slice(0, at) : '';
  const digest = at > 0 ? ref.slice(at + 1).toLowerCase() : '';
  if (!name || !DIGEST_RE.test(digest) || name.includes('\0')) {
    throw new UsageError({
      code: 'SUBJECT_INVALID',
      message: `--subject ${JSON.stringify(ref.slice(0, 200))} must be name@sha256:<64 hex>`,
    });
  }
  return { name, digest };
}

export function isDigestRef(text: string): boolean {
  return DIGEST_RE.test(text.toLowerCase());
}

/** Hashes a model/dataset directory or file with the manifest engine and returns its OMS subject. */
export async function subjectFromPath(path: string, extraIgnore: readonly string[] = []): Promise<Subject> {
  return (await hashPath(path, extraIgnore)).subject;
}

export async function hashPath(
  path: string,
  extraIgnore: readonly string[] = [],
): Promise<{ subject: Subject; manifest: Manifest }> {
  const { hashModel } = await import('@modelseal/hashing');
  // `sign` leaves model.sig inside a directory by default and never hashes it; neither do we,
  // or a signed dataset's digest here would differ from the one in its own signature
  const bundles = bundlesToSkip(locateModel(path, undefined));
  const progress = progressReporter(`hashing ${basename(resolve(path))}`);
  try {
    const manifest = await hashModel(path, {
      serialization: DEFAULT_SERIALIZATION,
      extraIgnore: [...bundles, ...extraIgnore],
      onProgress: (d, t) => progress.update(d, t),
    });
    return { subject: { name: manifest.modelName, digest: `sha256:${manifest.subjectDigest}` }, manifest };
  } finally {
    progress.end();
  }
}
