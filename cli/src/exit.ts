import type { ErrorKind } from '@modelseal/core';

/** The one exit-code table (README "Exit codes" mirrors it; a test keeps them in sync). */
export const EXIT_CODES = {
  ok: 0,
  internal: 1,
  usage: 2,
  verification: 3,
  digest: 4,
  not_found: 5,
  input: 6,
  policy: 7,
} as const satisfies Record<ErrorKind | 'ok', number>;

export const EXIT_MEANINGS: Record<keyof typeof EXIT_CODES, string> = {
  ok: 'success',
  internal: 'internal error (bug, I/O failure, crashed worker)',
  usage: 'usage error: unknown flag, missing argument, conflicting options',
  verification: 'verification failed: bad signature, untrusted key or certificate, wrong identity',
  digest: 'digest mismatch: files changed, missing or extra compared with what was signed',
  not_found: 'not found: a named file or model path, a bundle or a store entry is missing',
  input: 'invalid input: malformed bundle, key, policy or spec; not a file; too large',
  policy: 'policy denied: signatures verified but the policy requirements are not met',
};
