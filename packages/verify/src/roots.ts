/**
 * `@modelseal/verify/roots`: trusted roots as values, without the verifier stack behind the main
 * entry (~0.1 s to load instead of ~0.8 s), for the policy parser and the loader. Pure.
 */

export {
  CLIENT_TRUST_CONFIG_MEDIA_TYPE,
  type ClientTrustConfig,
  parseClientTrustConfig,
} from './trust/client-trust-config.ts';
export { publicGoodTrustedRoot } from './trust/public-good.ts';
export { parseTrustedRoot, TRUSTED_ROOT_MEDIA_TYPE } from './trust/trusted-root.ts';
export type { TrustedRoot } from './types.ts';
