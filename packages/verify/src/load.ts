/**
 * `@modelseal/verify/load`: the one way a trusted root enters modelseal from outside. Edges only
 * (CLI flags, `policy test`, the webhook's main): it reads a file, which nothing under
 * `@modelseal/verify` itself may do, so it is a subpath of its own.
 */
import { parseJson } from '@modelseal/core';
import { readUserBytes } from '@modelseal/input';
import { type ClientTrustConfig, parseClientTrustConfig } from './trust/client-trust-config.ts';
import { publicGoodTrustedRoot } from './trust/public-good.ts';
import { parseTrustedRoot } from './trust/trusted-root.ts';
import type { TrustedRoot } from './types.ts';

/** The public-good root is ~7 KiB; private instances with long histories stay far below this. */
export const TRUSTED_ROOT_MAX_BYTES = 16 << 20;

/**
 * A trusted_root.json file, parsed and checked strictly; without a path, the public-good root
 * shipped with modelseal (offline, no TUF fetch). Codes: FILE_NOT_FOUND, NOT_A_FILE,
 * FILE_TOO_LARGE, FILE_UNREADABLE, then the JSON_* and TRUST_ROOT_* codes of its content.
 */
export function loadTrustedRoot(path?: string, flag?: string): TrustedRoot {
  if (path === undefined) return publicGoodTrustedRoot();
  return parseTrustedRoot(readJson(path, 'trusted root', flag), `trusted root ${path}`);
}

/**
 * A ClientTrustConfig file (model_signing's `--trust_config`): the trusted root it holds, parsed as
 * strictly as loadTrustedRoot's, and its signing config. Codes: those of loadTrustedRoot, and
 * TRUST_CONFIG_INVALID for the wrapper.
 */
export function loadClientTrustConfig(path: string, flag?: string): ClientTrustConfig {
  return parseClientTrustConfig(readJson(path, 'client trust config', flag), `client trust config ${path}`);
}

/** A user's JSON file of trust material: the file checks of readUserBytes, then strict JSON. */
function readJson(path: string, what: string, flag: string | undefined): unknown {
  const bytes = readUserBytes({ path, what, maxBytes: TRUSTED_ROOT_MAX_BYTES, ...(flag ? { flag } : {}) });
  return parseJson(bytes, `${what} ${path}`, { maxBytes: TRUSTED_ROOT_MAX_BYTES });
}
