/**
 * `@modelseal/verify/roots`: trusted roots as values, without the verifier stack behind the main
 * entry (~0.1 s to load instead of ~0.8 s), for the policy parser and the loader. Pure.
 */
export { publicGoodTrustedRoot } from './trust/public-good.ts';
export { parseTrustedRoot, TRUSTED_ROOT_MEDIA_TYPE } from './trust/trusted-root.ts';
export type { TrustedRoot } from './types.ts';
