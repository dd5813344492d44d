import { prepareSigstoreTrust } from './trust/sigstore-statement.ts';
import { trustedKey } from './trusted-keys.ts';
import type { IdentityPolicy, TrustConfig } from './types.ts';

/**
 * Parses and keeps the trust material verifyBundle will need for `trust` (and `identity`), so a
 * server's first request after start costs what later ones do. Errors surface here as they would
 * at verification, with the same codes.
 */
export function prepareTrust(trust: TrustConfig, identity?: IdentityPolicy): void {
  switch (trust.kind) {
    case 'keys':
      for (const pem of trust.publicKeys) trustedKey(pem);
      return;
    case 'certificate-roots':
      return;
    case 'sigstore':
      prepareSigstoreTrust(trust.trustedRoot, identity);
      return;
    default:
      trust satisfies never;
  }
}
