import { InputError, isRecord } from '@modelseal/core';
import type { TrustedRoot } from '../types.ts';
import { parseTrustedRoot } from './trusted-root.ts';

/** sigstore-python's (and model_signing's `--trust_config`) one file for a private Sigstore */
export const CLIENT_TRUST_CONFIG_MEDIA_TYPE = 'application/vnd.dev.sigstore.clienttrustconfig.v0.1+json';

/** A ClientTrustConfig: the root verification trusts, and the services signing talks to. */
export interface ClientTrustConfig {
  readonly trustedRoot: TrustedRoot;
  /** a SigningConfig document, checked by whoever signs with it (@modelseal/sign) */
  readonly signingConfig: Readonly<Record<string, unknown>> | undefined;
}

/** Reads a ClientTrustConfig as strictly as a trusted root: its root is parsed by parseTrustedRoot. */
export function parseClientTrustConfig(json: unknown, what = 'client trust config'): ClientTrustConfig {
  const bad = (problem: string) =>
    new InputError({
      code: 'TRUST_CONFIG_INVALID',
      message: `${what} ${problem}; a ClientTrustConfig has "mediaType": "${CLIENT_TRUST_CONFIG_MEDIA_TYPE}", a "trustedRoot" and a "signingConfig"`,
    });
  if (!isRecord(json)) throw bad('is not a JSON object');
  if (json.mediaType !== CLIENT_TRUST_CONFIG_MEDIA_TYPE)
    throw bad(`has mediaType ${JSON.stringify(json.mediaType)}`);
  if (json.trustedRoot === undefined) throw bad('has no trustedRoot');
  const signingConfig = json.signingConfig;
  if (signingConfig !== undefined && signingConfig !== null && !isRecord(signingConfig))
    throw bad('has a signingConfig that is not a JSON object');
  return Object.freeze({
    trustedRoot: parseTrustedRoot(json.trustedRoot, `${what}: trustedRoot`),
    signingConfig: isRecord(signingConfig) ? signingConfig : undefined,
  });
}
