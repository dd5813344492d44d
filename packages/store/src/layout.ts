import { InputError, sha256Hex } from '@modelseal/core';

const DIGEST_RE = /^sha256:([0-9a-f]{64})$/;

/** Validates a `sha256:<hex>` subject digest and returns the hex: the only thing that becomes a path part. */
export function digestHex(subjectDigest: string): string {
  const m = DIGEST_RE.exec(typeof subjectDigest === 'string' ? subjectDigest.toLowerCase() : '');
  if (!m) {
    throw new InputError({
      code: 'STORE_BAD_DIGEST',
      message: `subject digest ${JSON.stringify(String(subjectDigest).slice(0, 100))} is not 'sha256:' followed by 64 hex characters`,
    });
  }
  return m[1]!;
}

/**
 * A readable, path-safe file-name prefix for a predicate type. The hash suffix keeps two types
 * that sanitize to the same text (e.g. `a/b` and `a.b`) apart.
 */
export function predicateSlug(predicateType: string): string {
  if (typeof predicateType !== 'string' || predicateType === '' || predicateType.length > 1024) {
    throw new InputError({
      code: 'STORE_BAD_PREDICATE_TYPE',
      message: 'predicate type must be a non-empty string of at most 1024 characters',
    });
  }
  const readable = predicateType
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/[^A-Za-z0-9.]+/g, '_')
    .replace(/^[._]+|[._]+$/g, '')
    .slice(0, 60);
  return `${readable || 'predicate'}~${sha256Hex(predicateType).slice(0, 8)}`;
}

export function bundleFileName(predicateType: string, bundle: Uint8Array): string {
  return `${predicateSlug(predicateType)}-${sha256Hex(bundle).slice(0, 16)}.sigstore.json`;
}

export const BUNDLE_SUFFIX = '.sigstore.json';
