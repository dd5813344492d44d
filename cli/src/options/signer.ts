/**
 * How a signing command picks its signer, shared by `sign` and `attest` so both accept the same
 * flags and behave the same: --key (optionally with --certificate-chain), else Sigstore keyless
 * when an identity token can be found, else the coded NO_SIGNER usage error.
 */
import { UsageError } from '@modelseal/core';
import type { SignerConfig } from '@modelseal/sign';
import type { Argv } from 'yargs';
import { readUserFile } from './files.ts';
import { type PassphraseArgs, resolvePassphrase, withPassphrase } from './passphrase.ts';
import { repeatable } from './repeatable.ts';
import {
  keyTimestampUrlFrom,
  requireKeylessConfig,
  type SigstoreServiceArgs,
  withSigstoreServices,
} from './sigstore.ts';

export interface SignerArgs extends PassphraseArgs, SigstoreServiceArgs {
  key?: string;
  'certificate-chain'?: string[];
  'pkcs11-module'?: string;
}

const ENCRYPTED = /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type:\s*4,ENCRYPTED/;
export const PKCS11_MODULE_ENV = 'MODELSEAL_PKCS11_MODULE';

export const withSigner = <T>(y: Argv<T>): Argv<T & SignerArgs> =>
  withSigstoreServices(withPassphrase(y))
    .option('key', {
      alias: ['private-key', 'private_key'],
      type: 'string',
      describe:
        'private key PEM (PKCS#8, SEC1 or PKCS#1; may be encrypted), or a PKCS#11 URI (pkcs11:token=…;object=…?pin-source=file:…); omit to sign keylessly',
    })
    .option('pkcs11-module', {
      type: 'string',
      describe: `PKCS#11 module library for a pkcs11: --key whose URI names none (default $${PKCS11_MODULE_ENV})`,
    })
    .option('certificate-chain', {
      alias: ['certificate_chain'],
      ...repeatable(
        'certificate chain (PEM): the signing certificate first unless --signing-certificate names it, then intermediates; needs --key',
      ),
    }) as Argv<T & SignerArgs>;

/** The frozen SignerConfig for these flags; reads the key and asks for its passphrase if needed. */
export async function signerFrom(argv: SignerArgs): Promise<SignerConfig> {
  if (Array.isArray(argv.key)) {
    throw new UsageError({
      code: 'FLAG_REPEATED',
      message: `--key was given ${argv.key.length} times; give it once`,
    });
  }
  if (argv.key === undefined && argv['certificate-chain']?.length) {
    throw new UsageError({
      code: 'KEY_REQUIRED',
      message: '--certificate-chain needs the matching private key: pass --key',
    });
  }
  return argv.key === undefined ? await requireKeylessConfig(argv) : await keySigner(argv, argv.key);
}

async function keySigner(argv: SignerArgs, key: string): Promise<SignerConfig> {
  const tsa = keyTimestampUrlFrom(argv);
  if (/^pkcs11:/i.test(key)) return (await import('./pkcs11.ts')).pkcs11SignerFrom(argv, key, tsa);
  const privateKeyPem = readUserFile(key, 'private key', '--key');
  const passphrase = ENCRYPTED.test(privateKeyPem)
    ? await resolvePassphrase(argv, `Passphrase for ${key}: `)
    : undefined;
  const secret = passphrase === undefined ? {} : { passphrase };
  const chain = argv['certificate-chain'] ?? [];
  if (chain.length > 0 && tsa !== undefined) {
    throw new UsageError({
      code: 'TIMESTAMP_WITH_CHAIN',
      message: '--timestamp-server-url is supported with --key alone, not with --certificate-chain',
    });
  }
  return Object.freeze(
    chain.length > 0
      ? {
          kind: 'certificate',
          privateKeyPem,
          ...secret,
          certificateChainPem: chain.map((c) => readUserFile(c, 'certificate', '--certificate-chain')),
        }
      : {
          kind: 'key',
          privateKeyPem,
          ...secret,
          ...(tsa === undefined ? {} : { timestampServerUrl: tsa }),
        },
  );
}

/**
 * model_signing 1.1 verifies key and certificate signatures with EC keys only (P-256, P-384,
 * P-521: sign_ec_key._check_supported_ec_key); an Ed25519 or RSA bundle verifies here but not there.
 */
export async function modelSigningWarning(config: SignerConfig): Promise<string | undefined> {
  if (config.kind === 'keyless') return undefined;
  const { loadPrivateKey, signatureParams } = await import('@modelseal/keys');
  const p = signatureParams(
    config.kind === 'pkcs11'
      ? await (await import('./pkcs11.ts')).tokenPublicKey(config)
      : loadPrivateKey(config.privateKeyPem, config.passphrase),
  );
  switch (p.scheme) {
    case 'ecdsa':
      return undefined;
    case 'ed25519':
    case 'rsa-pkcs1':
    case 'rsa-pss': {
      const key = p.scheme === 'ed25519' ? 'an Ed25519' : 'an RSA';
      return `signed with ${key} key, this bundle verifies with modelseal but not with model_signing, which accepts EC keys only (P-256, P-384, P-521)`;
    }
    default:
      return p satisfies never;
  }
}
