import type { TrustedRoot } from '@sigstore/protobuf-specs';
import publicGoodJson from './public-good.trusted_root.json' with { type: 'json' };
import { parseTrustedRoot } from './trusted-root.ts';

/** The vendored public-good root as JSON (see PUBLIC_GOOD.md for where it came from). */
export const PUBLIC_GOOD_TRUSTED_ROOT_JSON: unknown = publicGoodJson;

let cached: TrustedRoot | undefined;

/** Sigstore public-good production trust root, offline; parsed on first use. */
export function publicGoodTrustedRoot(): TrustedRoot {
  cached ??= parseTrustedRoot(publicGoodJson, 'public-good trusted root');
  return cached;
}
