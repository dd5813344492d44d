/**
 * Every trust flag of `verify` lives here: --key/--public-key, --certificate-chain,
 * --verify-time, and the Sigstore flags of ./sigstore.ts (--certificate-identity,
 * --certificate-oidc-issuer, regexp forms, --trusted-root) for keyless bundles.
 */
import { parseJson, UsageError } from '@modelseal/core';
import type { IdentityPolicy, TrustConfig } from '@modelseal/verify';
import type { Argv } from 'yargs';
import { readUserFile } from './files.ts';
import { identityFrom, type SigstoreTrustArgs, wantsSigstore, withSigstoreTrust } from './sigstore.ts';

export interface TrustArgs extends SigstoreTrustArgs {
  key?: string[];
  'certificate-chain'?: string[];
  'verify-time'?: string;
}

export const withTrust = <T>(y: Argv<T>): Argv<T & TrustArgs> =>
  withSigstoreTrust(y)
    .option('key', {
      alias: ['public-key'],
      type: 'string',
      array: true,
      describe: 'trusted public key (PEM SPKI); repeat to trust several',
    })
    .option('certificate-chain', {
      type: 'string',
      array: true,
      describe: 'trusted root CA certificate(s) (PEM) the bundle certificate must chain to',
    })
    .option('verify-time', {
      type: 'string',
      describe: 'RFC 3339 time at which certificates must be valid (default: now)',
    }) as Argv<T & TrustArgs>;

export interface ResolvedTrust {
  readonly trust: TrustConfig;
  readonly identity?: IdentityPolicy;
  readonly now: Date;
}

export function resolveTrust(argv: TrustArgs): ResolvedTrust {
  const keys = argv.key ?? [];
  const roots = argv['certificate-chain'] ?? [];
  const now = parseTime(argv['verify-time']);
  const sigstore = wantsSigstore(argv);
  if ([keys.length > 0, roots.length > 0, sigstore].filter(Boolean).length > 1) {
    throw new UsageError({
      code: 'TRUST_CONFLICT',
      message:
        'give one kind of trust: --key, --certificate-chain, or Sigstore identity (--certificate-identity + --certificate-oidc-issuer, optional --trusted-root)',
    });
  }
  if (keys.length > 0) {
    return {
      now,
      trust: { kind: 'keys', publicKeys: keys.map((k) => readUserFile(k, 'public key', '--key')) },
    };
  }
  if (roots.length > 0) {
    return {
      now,
      trust: {
        kind: 'certificate-roots',
        rootCertificates: roots.map((r) => readUserFile(r, 'root certificate', '--certificate-chain')),
      },
    };
  }
  if (sigstore) {
    const path = argv['trusted-root'];
    // undefined: the public-good root shipped with @modelseal/verify
    const trustedRoot =
      path === undefined
        ? undefined
        : parseJson(readUserFile(path, 'trusted root', '--trusted-root'), `--trusted-root ${path}`, {
            maxBytes: 16 << 20,
          });
    return { now, trust: { kind: 'sigstore', trustedRoot }, identity: identityFrom(argv) };
  }
  throw new UsageError({
    code: 'TRUST_MISSING',
    message:
      'say whom to trust: --key <public key PEM>, --certificate-chain <root CA PEM>, or for Sigstore keyless bundles --certificate-identity <SAN> --certificate-oidc-issuer <URL>',
  });
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

function parseTime(value: string | undefined): Date {
  if (value === undefined) return new Date();
  const d = new Date(value);
  if (!RFC3339.test(value) || Number.isNaN(d.getTime())) {
    throw new UsageError({
      code: 'VERIFY_TIME_INVALID',
      message: `--verify-time ${JSON.stringify(value)} is not an RFC 3339 time such as 2026-01-31T12:00:00Z`,
    });
  }
  return d;
}
