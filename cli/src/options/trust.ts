/**
 * Every trust flag of `verify` lives here: --key/--public-key, --certificate-chain,
 * --verify-time, and the Sigstore flags of ./sigstore.ts (--certificate-identity,
 * --certificate-oidc-issuer, regexp forms, --trusted-root) for keyless bundles. With --key,
 * --trusted-root supplies timestamp authorities and --key-valid-from/--key-valid-until a window.
 */
import { UsageError } from '@modelseal/core';
import type { IdentityPolicy, KeyTimestampPolicy, TrustConfig } from '@modelseal/verify';
import * as load from '@modelseal/verify/load';
import type { Argv } from 'yargs';
import { readUserFile } from './files.ts';
import { repeatable } from './repeatable.ts';
import {
  identityFrom,
  type SigstoreTrustArgs,
  sigstoreRootFrom,
  wantsSigstore,
  withSigstoreTrust,
} from './sigstore.ts';

export interface TrustArgs extends SigstoreTrustArgs {
  key?: string[];
  'certificate-chain'?: string[];
  'verify-time'?: string;
  'key-valid-from'?: string;
  'key-valid-until'?: string;
}

export const withTrust = <T>(y: Argv<T>): Argv<T & TrustArgs> =>
  withSigstoreTrust(y)
    .option('key', {
      alias: ['public-key', 'public_key'],
      ...repeatable('trusted public key (PEM SPKI)'),
    })
    .option('certificate-chain', {
      alias: ['certificate_chain'],
      ...repeatable(
        'trusted root CA certificate (PEM; a file may hold several) the bundle certificate must chain to',
      ),
    })
    .option('verify-time', {
      type: 'string',
      describe: 'RFC 3339 time at which certificates must be valid (default: now)',
    })
    .option('key-valid-from', {
      type: 'string',
      describe:
        'with --key and --trusted-root: RFC 3339 time the key became valid (checked by TSA timestamp)',
    })
    .option('key-valid-until', {
      type: 'string',
      describe: 'with --key and --trusted-root: RFC 3339 time the key stopped being valid',
    }) as Argv<T & TrustArgs>;

export interface ResolvedTrust {
  readonly trust: TrustConfig;
  readonly identity?: IdentityPolicy;
  readonly now: Date;
}

export function resolveTrust(argv: TrustArgs): ResolvedTrust {
  const keys = argv.key ?? [];
  const roots = argv['certificate-chain'] ?? [];
  const now = parseTime(argv['verify-time'], '--verify-time');
  // --trusted-root next to --key names timestamp authorities, not a keyless identity
  const sigstore =
    keys.length > 0 ? Object.values(identityFrom(argv)).some((v) => v !== undefined) : wantsSigstore(argv);
  if ([keys.length > 0, roots.length > 0, sigstore].filter(Boolean).length > 1) {
    throw new UsageError({
      code: 'TRUST_CONFLICT',
      message:
        'give one kind of trust: --key, --certificate-chain, or Sigstore identity (--certificate-identity + --certificate-oidc-issuer, optional --trusted-root)',
    });
  }
  const timestamps = keyTimestampPolicy(argv, keys.length > 0);
  if (keys.length > 0) {
    const publicKeys = keys.map((k) => readUserFile(k, 'public key', '--key'));
    return { now, trust: { kind: 'keys', publicKeys, ...(timestamps ? { timestamps } : {}) } };
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
    // no --trusted-root or --trust-config: the public-good root shipped with modelseal
    const trustedRoot = sigstoreRootFrom(argv, load);
    return { now, trust: { kind: 'sigstore', trustedRoot }, identity: identityFrom(argv) };
  }
  throw new UsageError({
    code: 'TRUST_MISSING',
    message:
      'say whom to trust: --key <public key PEM>, --certificate-chain <root CA PEM>, or for Sigstore keyless bundles --certificate-identity <SAN> --certificate-oidc-issuer <URL>',
  });
}

function keyTimestampPolicy(argv: TrustArgs, withKey: boolean): KeyTimestampPolicy | undefined {
  const from = argv['key-valid-from'];
  const until = argv['key-valid-until'];
  const rootGiven = argv['trusted-root'] !== undefined || argv['trust-config'] !== undefined;
  if (!withKey) {
    if (from === undefined && until === undefined) return undefined;
    throw new UsageError({
      code: 'KEY_WINDOW_WITHOUT_KEY',
      message:
        '--key-valid-from/--key-valid-until bound a public key: give the key with --key <public key PEM>',
    });
  }
  if (!rootGiven) {
    if (from === undefined && until === undefined) return undefined;
    throw new UsageError({
      code: 'TIMESTAMP_AUTHORITY_MISSING',
      message:
        'a key validity window is checked against a trusted timestamp: add --trusted-root <trusted_root.json> naming the timestamp authority used when signing',
    });
  }
  const validFrom = from === undefined ? undefined : parseTime(from, '--key-valid-from');
  const validUntil = until === undefined ? undefined : parseTime(until, '--key-valid-until');
  if (validFrom && validUntil && validFrom > validUntil) {
    throw new UsageError({
      code: 'KEY_WINDOW_INVALID',
      message: `--key-valid-from ${from} is after --key-valid-until ${until}`,
    });
  }
  const trustedRoot = sigstoreRootFrom(argv, load);
  return { trustedRoot, ...(validFrom ? { validFrom } : {}), ...(validUntil ? { validUntil } : {}) };
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

function parseTime(value: string | undefined, flag: string): Date {
  if (value === undefined) return new Date();
  const d = new Date(value);
  if (!RFC3339.test(value) || Number.isNaN(d.getTime())) {
    throw new UsageError({
      code: flag === '--verify-time' ? 'VERIFY_TIME_INVALID' : 'KEY_WINDOW_INVALID',
      message: `${flag} ${JSON.stringify(value)} is not an RFC 3339 time such as 2026-01-31T12:00:00Z`,
    });
  }
  return d;
}
