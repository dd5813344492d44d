import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { UsageError } from '@modelseal/core';
import type { Argv, CommandModule } from 'yargs';
import { err, outJson } from '../io.ts';
import { type OutputArgs, withOutput } from '../options/output.ts';
import { type PassphraseArgs, resolvePassphrase, withPassphrase } from '../options/passphrase.ts';

const ALGORITHMS = ['ecdsa-p256', 'ecdsa-p384', 'ecdsa-p521', 'ed25519', 'rsa-3072'] as const;

interface Args extends OutputArgs, PassphraseArgs {
  algorithm: (typeof ALGORITHMS)[number];
  'output-key-prefix': string;
  encrypt: boolean;
  force: boolean;
}

interface Options {
  readonly algorithm: Args['algorithm'];
  readonly privatePath: string;
  readonly publicPath: string;
  readonly passphrase?: string;
  readonly force: boolean;
  readonly output: Args['output'];
}

async function toOptions(argv: Args): Promise<Options> {
  const prefix = argv['output-key-prefix'];
  let passphrase: string | undefined;
  if (argv.encrypt) {
    passphrase = await resolvePassphrase(argv, 'Passphrase for the new key: ');
    if (!passphrase) {
      throw new UsageError({
        code: 'KEY_PASSPHRASE_REQUIRED',
        message:
          '--encrypt needs a passphrase: set MODELSEAL_KEY_PASSPHRASE (or --passphrase-env NAME) or run on a terminal',
      });
    }
  }
  return {
    algorithm: argv.algorithm,
    privatePath: `${prefix}.key`,
    publicPath: `${prefix}.pub`,
    force: argv.force,
    output: argv.output,
    ...(passphrase ? { passphrase } : {}),
  };
}

async function run(o: Options) {
  for (const p of [o.privatePath, o.publicPath]) {
    if (existsSync(p) && !o.force) {
      throw new UsageError({
        code: 'KEY_FILE_EXISTS',
        message: `${p} already exists; pick another --output-key-prefix or pass --force`,
      });
    }
  }
  const { generateKeyPair, keyId, loadPublicKey } = await import('@modelseal/keys');
  const pair = generateKeyPair(o.algorithm, o.passphrase);
  // mode only applies on creation; chmod covers an overwritten file.
  writeFileSync(o.privatePath, pair.privateKeyPem, { mode: 0o600 });
  chmodSync(o.privatePath, 0o600);
  writeFileSync(o.publicPath, pair.publicKeyPem, { mode: 0o644 });
  return { ...o, keyId: keyId(loadPublicKey(pair.publicKeyPem)), encrypted: o.passphrase !== undefined };
}

function render(r: Awaited<ReturnType<typeof run>>): void {
  const result = {
    ok: true,
    algorithm: r.algorithm,
    privateKey: r.privatePath,
    publicKey: r.publicPath,
    keyId: r.keyId,
    encrypted: r.encrypted,
  };
  if (r.output === 'json') outJson(result);
  else
    err(
      `Wrote ${r.privatePath} (private, 0600${r.encrypted ? ', encrypted' : ''}) and ${r.publicPath}; key id ${r.keyId}`,
    );
}

export const keygenCommand: CommandModule<object, Args> = {
  command: 'keygen',
  describe: 'generate a signing key pair (PKCS#8 private key, SPKI public key)',
  builder: (y: Argv) =>
    withPassphrase(withOutput(y))
      .option('algorithm', {
        alias: 'a',
        choices: ALGORITHMS,
        default: 'ecdsa-p256' as const,
        describe: 'key algorithm',
      })
      .option('output-key-prefix', {
        type: 'string',
        default: 'modelseal',
        describe: 'writes PREFIX.key and PREFIX.pub',
      })
      .option('encrypt', {
        type: 'boolean',
        default: false,
        describe: 'encrypt the private key with a passphrase',
      })
      .option('force', {
        type: 'boolean',
        default: false,
        describe: 'overwrite existing key files',
      }) as Argv<Args>,
  handler: async (argv) => render(await run(await toOptions(argv))),
};
