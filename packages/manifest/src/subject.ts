import { InputError, sha256Hex } from '@modelseal/core';
import type { Manifest, ManifestFields, Resource } from './types.ts';

const HEX = /^(?:[0-9a-f]{2})+$/;

/**
 * The in-toto subject digest of an OMS manifest: SHA-256 over the raw (not hex) resource
 * digests concatenated in listed order. Always SHA-256, whatever hash the resources use.
 */
export function subjectDigestOf(resources: readonly Resource[]): string {
  let joined = '';
  for (const r of resources) {
    const d = r.digest;
    if (typeof d !== 'string' || d.length === 0 || d.length % 2 !== 0) throw badDigest(r.name, d);
    joined += d;
  }
  // Even-length parts of one valid hex string decode to the concatenation of their bytes: one
  // decode for the lot (100k per-digest Buffers cost tens of milliseconds). The decoder stops at
  // the first non-hex character and accepts uppercase; re-encoding and comparing catches both,
  // at under half the cost of a regex over the whole string.
  const raw = Buffer.from(joined, 'hex');
  if (raw.length * 2 !== joined.length || raw.toString('hex') !== joined) {
    const bad = resources.find((r) => !HEX.test(r.digest))!;
    throw badDigest(bad.name, bad.digest);
  }
  return sha256Hex(raw);
}

/**
 * A manifest from its parts, its subject digest derived from the resources. Hashing, which holds
 * the raw digests, derives the subject from those instead and builds the value itself.
 */
export function createManifest(fields: ManifestFields): Manifest {
  const resources = Object.freeze([...fields.resources]);
  return Object.freeze({
    modelName: fields.modelName,
    serialization: fields.serialization,
    resources,
    subjectDigest: subjectDigestOf(resources),
  });
}

function badDigest(name: string, digest: unknown): InputError {
  return new InputError({
    code: 'BAD_RESOURCE_DIGEST',
    message: `resource "${name}" has a digest that is not lowercase hex: ${JSON.stringify(String(digest).slice(0, 80))}`,
    details: { name },
  });
}
