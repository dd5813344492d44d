/**
 * `--key pkcs11:…`: the RFC 7512 URI model_signing and cosign take, turned into a frozen
 * SignerConfig. The PIN comes from the URI (pin-value, or pin-source read as a user file) or a
 * hidden prompt on a terminal; it is never printed. The module library comes from the URI
 * (module-path / module-name), else --pkcs11-module, else $MODELSEAL_PKCS11_MODULE.
 */
import type { KeyObject } from 'node:crypto';
import type { SignerConfig } from '@modelseal/sign';
import { readUserFile } from './files.ts';
import { readHidden } from './passphrase.ts';
import { PKCS11_MODULE_ENV, type SignerArgs } from './signer.ts';

type Pkcs11Config = Extract<SignerConfig, { kind: 'pkcs11' }>;

/** A PIN file holds a few bytes; anything near this is not one. */
const MAX_PIN_FILE = 4096;

export async function pkcs11SignerFrom(
  argv: SignerArgs,
  key: string,
  timestampServerUrl: string | undefined,
): Promise<Pkcs11Config> {
  const { describePkcs11Uri, parsePkcs11KeyUri } = await import('@modelseal/pkcs11');
  const uri = parsePkcs11KeyUri(key);
  const pin = await pinFor(uri, describePkcs11Uri(uri));
  const module = argv['pkcs11-module'] ?? process.env[PKCS11_MODULE_ENV];
  const chain = argv['certificate-chain'] ?? [];
  return Object.freeze({
    kind: 'pkcs11',
    uri,
    ...(pin === undefined ? {} : { pin }),
    ...(module === undefined || module === '' ? {} : { module }),
    ...(chain.length > 0
      ? { certificateChainPem: chain.map((c) => readUserFile(c, 'certificate', '--certificate-chain')) }
      : {}),
    ...(timestampServerUrl === undefined ? {} : { timestampServerUrl }),
  });
}

async function pinFor(
  uri: import('@modelseal/pkcs11').Pkcs11Uri,
  label: string,
): Promise<string | undefined> {
  switch (uri.pin.kind) {
    case 'value':
      return uri.pin.value;
    case 'file':
      // `echo 1234 > pin` leaves a newline that is no part of the PIN
      return readUserFile(uri.pin.path, 'PIN file', '--key pin-source', MAX_PIN_FILE).replace(/\r?\n$/, '');
    case 'none':
      return process.stdin.isTTY && process.stderr.isTTY ? readHidden(`PIN for ${label}: `) : undefined;
    default:
      return uri.pin satisfies never;
  }
}

/** The token key's public half (the open is cached, so signing does not log in again). */
export async function tokenPublicKey(config: Pkcs11Config): Promise<KeyObject> {
  const { openTokenKey } = await import('@modelseal/pkcs11/token');
  return openTokenKey({
    uri: config.uri,
    ...(config.pin === undefined ? {} : { pin: config.pin }),
    ...(config.module === undefined ? {} : { module: config.module }),
  }).publicKey;
}
