import { createHash } from 'node:crypto';
import { InputError } from '@modelseal/core';
import type { Manifest } from './types.ts';

const HEX = /^(?:[0-9a-f]{2})+$/;

/**
 * The in-toto subject digest of an OMS manifest: SHA-256 over the raw (not hex) resource
 * digests concatenated in listed order. Always SHA-256, whatever hash the resources use.
 */
export function subjectDigest(manifest: Pick<Manifest, 'resources'>): string {
  const h = createHash('sha256');
  for (const r of manifest.resources) {
    if (!HEX.test(r.digest)) {
      throw new InputError({
        code: 'BAD_RESOURCE_DIGEST',
        message: `resource "${r.name}" has a digest that is not lowercase hex: ${JSON.stringify(r.digest.slice(0, 80))}`,
        details: { name: r.name },
      });
    }
    h.update(Buffer.from(r.digest, 'hex'));
  }
  return h.digest('hex');
}
