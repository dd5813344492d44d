/**
 * Every trust flag lives here: key and certificate-chain trust (`withTrust`, used by `verify`),
 * Sigstore trust roots and signer identity (`withSigstoreTrust`, also used by `verify-blob`),
 * spelled as cosign and model_signing spell them. Only light imports: commands must start fast.
 * The Sigstore service flags for keyless signing are in ./sigstore.ts.
 */
import { readFile } from 'node:fs/promises';
import { InputError, NotFoundError, parseJson, UsageError } from '@modelseal/core';
import type { IdentityPolicy, TrustConfig } from '@modelseal/verify';
import type { Argv } from 'yargs';
import { readUserFile } from './files.ts';

export interface SigstoreTrustArgs {
  'trusted-root'?: string;
  'certificate-identity'?: string;
  'certificate-identity-regexp'?: string;
  'certificate-oidc-issuer'?: string;
  'certificate-oidc-issuer-regexp'?: string;
}

export interface TrustArgs extends SigstoreTrustArgs {
  key?: string[];
  'certificate-chain'?: string[];
  'verify-time'?: string;
}

const GROUP_SIGSTORE = 'Sigstore (keyless) trust and identity:';

export const withSigstoreTrust = <T>(y: Argv<T>): Argv<T & SigstoreTrustArgs> =>
  y
    .option('trusted-root', {
      type: 'string',
      group: GROUP_SIGSTORE,
      describe: 'Sigstore trusted_root.json (default: the public-good root shipped with modelseal, offline)',
    })
    .option('certificate-identity', {
      type: 'string',
      alias: 'identity',
      group: GROUP_SIGSTORE,
      describe: 'expected signer identity (certificate SAN: email or URI), exact match',
    })
    .option('certificate-identity-regexp', {
      type: 'string',
      group: GROUP_SIGSTORE,
      describe: 'expected signer identity as a regular expression; must match the whole SAN',
    })
    .option('certificate-oidc-issuer', {
      type: 'string',
      alias: 'identity-provider',
      group: GROUP_SIGSTORE,
      describe:
        'expected OIDC issuer of the signer, exact (e.g. https://token.actions.githubusercontent.com)',
    })
    .option('certificate-oidc-issuer-regexp', {
      type: 'string',
      group: GROUP_SIGSTORE,
      describe: 'expected OIDC issuer as a regular expression; must match the whole issuer',
    }) as Argv<T & SigstoreTrustArgs>;

export const withTrust = <T>(y: Argv<T>): Argv<T & TrustArgs> =>
  withSigstoreTrust(
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
      }),
  ) as Argv<T & TrustArgs>;

export interface ResolvedTrust {
  readonly trust: TrustConfig;
  readonly identity?: IdentityPolicy;
  readonly now: Date;
}

/** The identity flags as an IdentityPolicy (checked and anchored by @modelseal/verify). */
export function identityFrom(argv: SigstoreTrustArgs): IdentityPolicy {
  return Object.freeze({
    identity: argv['certificate-identity'],
    identityRegexp: argv['certificate-identity-regexp'],
    issuer: argv['certificate-oidc-issuer'],
    issuerRegexp: argv['certificate-oidc-issuer-regexp'],
  });
}

export function wantsSigstore(argv: SigstoreTrustArgs): boolean {
  return argv['trusted-root'] !== undefined || Object.values(identityFrom(argv)).some((v) => v !== undefined);
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
        'give one kind of trust: --key, --certificate-chain, or Sigstore identity (--certificate-identity/--certificate-oidc-issuer, optional --trusted-root)',
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

/** Reads a JSON file given on the command line, with coded errors naming the flag. */
export async function readJsonFile(path: string, flag: string, maxBytes = 64 << 20): Promise<unknown> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new NotFoundError({ code: 'FILE_NOT_FOUND', message: `${flag} file ${path} does not exist` });
    }
    throw new InputError({
      code: 'FILE_UNREADABLE',
      message: `${flag} file ${path} cannot be read: ${(e as Error).message}`,
    });
  }
  return parseJson(bytes, `${flag} file ${path}`, { maxBytes });
}

/** --trusted-root, or the shipped public-good root; parsed strictly. */
export async function trustedRootFrom(argv: SigstoreTrustArgs) {
  const { parseTrustedRoot, publicGoodTrustedRoot } = await import('@modelseal/verify');
  const path = argv['trusted-root'];
  if (path === undefined) return publicGoodTrustedRoot();
  return parseTrustedRoot(await readJsonFile(path, '--trusted-root', 16 << 20), `--trusted-root ${path}`);
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
