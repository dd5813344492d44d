/**
 * Shared CLI options for Sigstore trust, signer identity and Sigstore services, spelled as cosign
 * and model_signing spell them. Commands add them with `withTrustOptions(y)` /
 * `withSigstoreServiceOptions(y)` and turn parsed argv into values with the `*From` helpers.
 * Only light imports here: commands must start fast.
 */
import { readFile } from 'node:fs/promises';
import { InputError, NotFoundError, parseJson } from '@modelseal/core';
import type { IdentityPolicy } from '@modelseal/verify';
import type { Argv } from 'yargs';

export interface TrustArgv {
  'trusted-root'?: string;
  'certificate-identity'?: string;
  'certificate-identity-regexp'?: string;
  'certificate-oidc-issuer'?: string;
  'certificate-oidc-issuer-regexp'?: string;
}

export interface SigstoreServiceArgv {
  'identity-token'?: string;
  'identity-token-file'?: string;
  'signing-config'?: string;
  'fulcio-url'?: string;
  'rekor-url'?: string;
  'timestamp-server-url'?: string;
  'tlog-upload': boolean;
}

const GROUP_TRUST = 'Sigstore trust and identity:';
const GROUP_SERVICES = 'Sigstore keyless signing:';

export function withTrustOptions<T>(y: Argv<T>): Argv<T & TrustArgv> {
  return y
    .option('trusted-root', {
      type: 'string',
      group: GROUP_TRUST,
      describe: 'Sigstore trusted_root.json (default: the public-good root shipped with modelseal, offline)',
    })
    .option('certificate-identity', {
      type: 'string',
      alias: 'identity',
      group: GROUP_TRUST,
      describe: 'expected signer identity (certificate SAN: email or URI), exact match',
    })
    .option('certificate-identity-regexp', {
      type: 'string',
      group: GROUP_TRUST,
      describe: 'expected signer identity as a regular expression (anchored: must match the whole SAN)',
    })
    .option('certificate-oidc-issuer', {
      type: 'string',
      alias: 'identity-provider',
      group: GROUP_TRUST,
      describe:
        'expected OIDC issuer of the signer, exact match (e.g. https://token.actions.githubusercontent.com)',
    })
    .option('certificate-oidc-issuer-regexp', {
      type: 'string',
      group: GROUP_TRUST,
      describe: 'expected OIDC issuer as a regular expression (anchored)',
    }) as Argv<T & TrustArgv>;
}

export function withSigstoreServiceOptions<T>(y: Argv<T>): Argv<T & SigstoreServiceArgv> {
  return y
    .option('identity-token', {
      type: 'string',
      group: GROUP_SERVICES,
      describe:
        'OIDC identity token for keyless signing (else --identity-token-file, $SIGSTORE_ID_TOKEN, GitHub Actions)',
    })
    .option('identity-token-file', {
      type: 'string',
      group: GROUP_SERVICES,
      describe: 'file holding the OIDC token',
    })
    .option('signing-config', {
      type: 'string',
      group: GROUP_SERVICES,
      describe: 'Sigstore signing_config.json (v0.2) naming the Fulcio, Rekor and TSA URLs',
    })
    .option('fulcio-url', { type: 'string', group: GROUP_SERVICES, describe: 'Fulcio CA URL' })
    .option('rekor-url', { type: 'string', group: GROUP_SERVICES, describe: 'Rekor transparency log URL' })
    .option('timestamp-server-url', {
      type: 'string',
      group: GROUP_SERVICES,
      describe: 'RFC 3161 timestamp authority URL (also usable with --key)',
    })
    .option('tlog-upload', {
      type: 'boolean',
      default: true,
      group: GROUP_SERVICES,
      describe: 'record the signature in Rekor (--no-tlog-upload needs a timestamp server)',
    }) as Argv<T & SigstoreServiceArgv>;
}

/** The identity flags as an IdentityPolicy (checked and anchored by @modelseal/verify). */
export function identityFrom(argv: TrustArgv): IdentityPolicy {
  return Object.freeze({
    identity: argv['certificate-identity'],
    identityRegexp: argv['certificate-identity-regexp'],
    issuer: argv['certificate-oidc-issuer'],
    issuerRegexp: argv['certificate-oidc-issuer-regexp'],
  });
}

export function hasIdentityFlags(argv: TrustArgv): boolean {
  return Object.values(identityFrom(argv)).some((v) => v !== undefined);
}

/** Reads a JSON file given on the command line, with coded errors naming the flag. */
export async function readJsonFile(path: string, flag: string, maxBytes = 16 << 20): Promise<unknown> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new NotFoundError({ code: 'FILE_NOT_FOUND', message: `${flag} file ${path} does not exist` });
    }
    throw new InputError({
      code: 'FILE_UNREADABLE',
      message: `${flag} file ${path} cannot be read: ${(e as Error).message}`,
    });
  }
  return parseJson(bytes, `${flag} file ${path}`, { maxBytes });
}

/** --trusted-root, or the shipped public-good root. Parsed strictly. */
export async function trustedRootFrom(argv: TrustArgv) {
  const { parseTrustedRoot, publicGoodTrustedRoot } = await import('@modelseal/verify');
  const path = argv['trusted-root'];
  if (path === undefined) return publicGoodTrustedRoot();
  return parseTrustedRoot(await readJsonFile(path, '--trusted-root'), `--trusted-root ${path}`);
}
