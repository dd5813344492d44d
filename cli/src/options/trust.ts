/**
 * Every trust flag of `verify` lives here, so the keyless (Sigstore) options join one place:
 * --key/--public-key, --certificate-chain, --verify-time. The keyless engineer adds
 * --certificate-identity/--certificate-oidc-issuer/--trusted-root and the 'sigstore' branch.
 */
import { UsageError } from '@modelseal/core';
import type { IdentityPolicy, TrustConfig } from '@modelseal/verify';
import type { Argv } from 'yargs';
import { readUserFile } from './files.ts';

export interface TrustArgs {
  key?: string[];
  'certificate-chain'?: string[];
  'verify-time'?: string;
}

export const withTrust = <T>(y: Argv<T>): Argv<T & TrustArgs> =>
  y
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
  if (keys.length > 0 && roots.length > 0) {
    throw new UsageError({
      code: 'TRUST_CONFLICT',
      message: 'give either --key or --certificate-chain, not both',
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
  throw new UsageError({
    code: 'TRUST_MISSING',
    message: 'say whom to trust: --key <public key PEM> or --certificate-chain <root CA PEM>',
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
