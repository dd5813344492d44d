import type { TrustedRoot } from '../types.ts';
// the vendored public-good root (see PUBLIC_GOOD.md for where it came from)
import publicGoodJson from './public-good.trusted_root.json' with { type: 'json' };
import { parseTrustedRoot } from './trusted-root.ts';

let cached: TrustedRoot | undefined;

/** Sigstore public-good production trust root, offline; parsed on first use, one object for all. */
export function publicGoodTrustedRoot(): TrustedRoot {
  cached ??= parseTrustedRoot(publicGoodJson, 'public-good trusted root');
  return cached;
}
