/**
 * Sigstore CLI options, spelled as cosign and model_signing spell them: trust roots and signer
 * identity for verifying (`withSigstoreTrust`), services and identity tokens for keyless signing
 * (`withSigstoreServices`). Parsed argv becomes values through the `*From` helpers. Only light
 * imports at the top: commands must start fast.
 */
import { InputError, parseJson, UsageError } from '@modelseal/core';
import type { SignerConfig } from '@modelseal/sign';
import type { IdentityPolicy } from '@modelseal/verify';
import type { Argv } from 'yargs';
import { FILE_LIMITS, readUserBytes, readUserFile } from './files.ts';

export interface SigstoreTrustArgs {
  'trusted-root'?: string;
  'trust-config'?: string;
  'certificate-identity'?: string;
  'certificate-identity-regexp'?: string;
  'certificate-oidc-issuer'?: string;
  'certificate-oidc-issuer-regexp'?: string;
}

export interface SigstoreServiceArgs {
  'trust-config'?: string;
  'identity-token'?: string;
  'identity-token-file'?: string;
  'signing-config'?: string;
  'fulcio-url'?: string;
  'rekor-url'?: string;
  'timestamp-server-url'?: string;
  'tlog-upload': boolean;
}

const GROUP_TRUST = 'Sigstore (keyless) trust and identity:';

/** yargs turns a repeated flag into an array; for these flags one value is meant, so say so. */
function assertSingle(argv: object): void {
  for (const [flag, v] of Object.entries(argv)) {
    if (Array.isArray(v) && SINGLE_FLAGS.has(flag)) {
      throw new UsageError({
        code: 'FLAG_REPEATED',
        message: `--${flag} was given ${v.length} times; give it once`,
      });
    }
  }
}
const SINGLE_FLAGS = new Set([
  'trusted-root',
  'trust-config',
  'certificate-identity',
  'certificate-identity-regexp',
  'certificate-oidc-issuer',
  'certificate-oidc-issuer-regexp',
  'identity-token',
  'identity-token-file',
  'signing-config',
  'fulcio-url',
  'rekor-url',
  'timestamp-server-url',
]);
const GROUP_SERVICES = 'Sigstore keyless signing:';

/** model_signing's and sigstore-python's one file for a private Sigstore: root and services */
const trustConfigOption = (group: string, use: string) =>
  ({
    type: 'string',
    alias: 'trust_config',
    group,
    describe: `Sigstore ClientTrustConfig JSON (trustedRoot + signingConfig, as model_signing's --trust_config): ${use}`,
  }) as const;

export const withSigstoreTrust = <T>(y: Argv<T>): Argv<T & SigstoreTrustArgs> =>
  y
    .option('trusted-root', {
      type: 'string',
      group: GROUP_TRUST,
      describe:
        'Sigstore trusted_root.json (default: the public-good root shipped with modelseal, offline); with --key, the timestamp authorities to trust',
    })
    .option('trust-config', trustConfigOption(GROUP_TRUST, 'its trustedRoot, in place of --trusted-root'))
    .option('certificate-identity', {
      type: 'string',
      alias: 'identity',
      group: GROUP_TRUST,
      describe: 'expected signer identity (certificate SAN: email or URI), exact match',
    })
    .option('certificate-identity-regexp', {
      type: 'string',
      group: GROUP_TRUST,
      describe: 'expected signer identity as a regular expression; must match the whole SAN',
    })
    .option('certificate-oidc-issuer', {
      type: 'string',
      alias: ['identity-provider', 'identity_provider'],
      group: GROUP_TRUST,
      describe:
        'expected OIDC issuer of the signer, exact (e.g. https://token.actions.githubusercontent.com)',
    })
    .option('certificate-oidc-issuer-regexp', {
      type: 'string',
      group: GROUP_TRUST,
      describe: 'expected OIDC issuer as a regular expression; must match the whole issuer',
    }) as Argv<T & SigstoreTrustArgs>;

export const withSigstoreServices = <T>(y: Argv<T>): Argv<T & SigstoreServiceArgs> =>
  y
    .option(
      'trust-config',
      trustConfigOption(GROUP_SERVICES, 'its signingConfig, in place of --signing-config'),
    )
    .option('identity-token', {
      alias: ['identity_token'],
      type: 'string',
      group: GROUP_SERVICES,
      describe:
        'OIDC token for keyless signing (else --identity-token-file, $SIGSTORE_ID_TOKEN, GitHub Actions)',
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
    .option('fulcio-url', {
      type: 'string',
      group: GROUP_SERVICES,
      describe: 'Fulcio CA URL',
    })
    .option('rekor-url', {
      type: 'string',
      group: GROUP_SERVICES,
      describe: 'Rekor transparency log URL',
    })
    .option('timestamp-server-url', {
      type: 'string',
      group: GROUP_SERVICES,
      describe: 'RFC 3161 timestamp authority URL',
    })
    .option('tlog-upload', {
      type: 'boolean',
      default: true,
      group: GROUP_SERVICES,
      describe: 'record the signature in Rekor (--no-tlog-upload needs --timestamp-server-url)',
    }) as Argv<T & SigstoreServiceArgs>;

/** The identity flags as an IdentityPolicy (checked and anchored by @modelseal/verify). */
export function identityFrom(argv: SigstoreTrustArgs): IdentityPolicy {
  assertSingle(argv);
  return Object.freeze({
    identity: argv['certificate-identity'],
    identityRegexp: argv['certificate-identity-regexp'],
    issuer: argv['certificate-oidc-issuer'],
    issuerRegexp: argv['certificate-oidc-issuer-regexp'],
  });
}

/** True when any Sigstore trust flag was given. */
export function wantsSigstore(argv: SigstoreTrustArgs): boolean {
  return (
    argv['trusted-root'] !== undefined ||
    argv['trust-config'] !== undefined ||
    Object.values(identityFrom(argv)).some((v) => v !== undefined)
  );
}

/**
 * The Sigstore root to trust: --trusted-root, or the trustedRoot of --trust-config, or the
 * shipped public-good root; parsed strictly. Both flags at once is a usage mistake.
 */
export function sigstoreRootFrom(argv: SigstoreTrustArgs, load: typeof import('@modelseal/verify/load')) {
  assertSingle(argv);
  const rootPath = argv['trusted-root'];
  const configPath = argv['trust-config'];
  if (rootPath !== undefined && configPath !== undefined) {
    throw new UsageError({
      code: 'TRUST_ROOT_CONFLICT',
      message: '--trusted-root and --trust-config both name a trusted root; give one',
    });
  }
  if (configPath !== undefined) return load.loadClientTrustConfig(configPath, '--trust-config').trustedRoot;
  return load.loadTrustedRoot(rootPath);
}

/** Reads a JSON file given on the command line, with coded errors naming the flag. */
export async function readJsonFile(
  path: string,
  what: string,
  flag: string,
  maxBytes: number,
): Promise<unknown> {
  return parseJson(readUserBytes({ path, what, flag, maxBytes }), `${flag} file ${path}`, { maxBytes });
}

/** The same choice for a flow's options (--trusted-root or --trust-config as file paths). */
export async function trustedRootOf(o: {
  readonly trustedRootFile?: string;
  readonly trustConfigFile?: string;
}) {
  return trustedRootFrom({ 'trusted-root': o.trustedRootFile, 'trust-config': o.trustConfigFile });
}

/** --trusted-root, or the shipped public-good root; parsed strictly. */
export async function trustedRootFrom(argv: SigstoreTrustArgs) {
  return sigstoreRootFrom(argv, await import('@modelseal/verify/load'));
}

/**
 * The keyless SignerConfig, or undefined when no identity token can be found (the caller then
 * needs a key). Services: flags, then --signing-config, then public-good defaults.
 */
export async function keylessConfigFrom(
  argv: SigstoreServiceArgs,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<Extract<SignerConfig, { kind: 'keyless' }> | undefined> {
  assertSingle(argv);
  const { resolveIdentityToken, resolveKeylessServices } = await import('@modelseal/sign');
  const found = await resolveIdentityToken({
    flagToken: argv['identity-token'],
    tokenFile: argv['identity-token-file'],
    env,
    readFile: async (p) => readUserFile(p, 'identity token', '--identity-token-file', FILE_LIMITS.token),
    fetch: (url, init) => fetch(url, init),
  });
  if (!found) return undefined;
  const services = resolveKeylessServices({
    signingConfig: await signingConfigFrom(argv),
    fulcioUrl: argv['fulcio-url'],
    rekorUrl: argv['rekor-url'],
    timestampServerUrl: argv['timestamp-server-url'],
    tlogUpload: argv['tlog-upload'],
    now: new Date(),
  });
  return Object.freeze({
    kind: 'keyless',
    identityToken: found.token,
    fulcioUrl: services.fulcioUrl,
    ...(services.rekorUrl ? { rekorUrl: services.rekorUrl } : {}),
    ...(services.timestampServerUrl ? { timestampServerUrl: services.timestampServerUrl } : {}),
    tlogUpload: services.rekorUrl !== undefined,
  });
}

/** --signing-config, or the signingConfig of --trust-config (not both). */
async function signingConfigFrom(argv: SigstoreServiceArgs): Promise<unknown> {
  const configPath = argv['signing-config'];
  const trustConfig = argv['trust-config'];
  if (configPath !== undefined && trustConfig !== undefined) {
    throw new UsageError({
      code: 'USAGE_CONFLICT',
      message: '--signing-config and --trust-config both name the Sigstore services; give one',
    });
  }
  if (configPath !== undefined)
    return readJsonFile(configPath, 'signing config', '--signing-config', FILE_LIMITS.signingConfig);
  if (trustConfig === undefined) return undefined;
  const { loadClientTrustConfig } = await import('@modelseal/verify/load');
  const { signingConfig } = loadClientTrustConfig(trustConfig, '--trust-config');
  if (signingConfig === undefined) {
    throw new InputError({
      code: 'TRUST_CONFIG_INVALID',
      message: `client trust config ${trustConfig} has no signingConfig, so it names no Fulcio, Rekor or timestamp service to sign with`,
    });
  }
  return signingConfig;
}

/** For commands that can only sign keylessly: a coded usage error naming the flags to use. */
export async function requireKeylessConfig(argv: SigstoreServiceArgs) {
  const config = await keylessConfigFrom(argv);
  if (config) return config;
  const { NO_SIGNER_MESSAGE } = await import('@modelseal/sign');
  throw new UsageError({ code: 'NO_SIGNER', message: NO_SIGNER_MESSAGE });
}

/**
 * For key signing: only --timestamp-server-url applies (an RFC 3161 timestamp on a key
 * signature); the keyless-only flags are refused rather than silently ignored.
 */
export function keyTimestampUrlFrom(argv: SigstoreServiceArgs): string | undefined {
  assertSingle(argv);
  const keylessOnly = (
    [
      'identity-token',
      'identity-token-file',
      'signing-config',
      'trust-config',
      'fulcio-url',
      'rekor-url',
    ] as const
  ).filter((f) => argv[f] !== undefined);
  if (keylessOnly.length > 0) {
    throw new UsageError({
      code: 'KEYLESS_FLAG_WITH_KEY',
      message: `${keylessOnly.map((f) => `--${f}`).join(', ')} only apply to keyless signing; drop them or drop --key`,
    });
  }
  const url = argv['timestamp-server-url'];
  if (url === undefined) return undefined;
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')) {
    throw new UsageError({
      code: 'URL_INVALID',
      message: `--timestamp-server-url ${JSON.stringify(url)} is not an http(s) URL`,
    });
  }
  return url;
}
