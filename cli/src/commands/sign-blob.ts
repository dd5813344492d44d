import { writeFile } from 'node:fs/promises';
import type { SignerConfig } from '@modelseal/sign';
import type { Argv, CommandModule } from 'yargs';
import { err, out, outJson } from '../io.ts';
import { FILE_LIMITS, readUserBytes } from '../options/files.ts';
import { type OutputArgs, withOutput } from '../options/output.ts';
import { type SignerArgs, signerFrom, withSigner } from '../options/signer.ts';

interface Args extends SignerArgs, OutputArgs {
  file: string;
  bundle?: string;
}

interface Options {
  readonly file: string;
  readonly bundlePath: string | undefined;
  readonly signer: Extract<SignerConfig, { kind: 'keyless' | 'key' | 'pkcs11' }>;
  readonly output: OutputArgs['output'];
}

async function toOptions(argv: Args): Promise<Options> {
  return Object.freeze({
    file: argv.file,
    bundlePath: argv.bundle,
    signer: await blobSigner(argv),
    output: argv.output,
  });
}

/** --key signs with that key, a file or `pkcs11:` (as `cosign sign-blob --key`); without it, keylessly. */
async function blobSigner(argv: Args): Promise<Options['signer']> {
  const config = await signerFrom(argv);
  if (config.kind === 'certificate' || (config.kind === 'pkcs11' && config.certificateChainPem?.length)) {
    const { UsageError } = await import('@modelseal/core');
    throw new UsageError({
      code: 'BLOB_SIGNER_UNSUPPORTED',
      message:
        'sign-blob signs with a key (a file or pkcs11:) or keylessly; a certificate chain is for model signatures (sign)',
    });
  }
  return config;
}

async function run(o: Options) {
  const data = readBlob(o.file);
  const { keyBlobSigner, keylessBlobSigner } = await import('@modelseal/sign');
  const bundle = await (o.signer.kind === 'keyless'
    ? keylessBlobSigner(o.signer)
    : keyBlobSigner(o.signer)
  ).sign(data);
  const text = JSON.stringify(bundle);
  if (o.bundlePath !== undefined) await writeFile(o.bundlePath, text);
  return { bundle, text, ...o };
}

function render(r: Awaited<ReturnType<typeof run>>): void {
  if (r.bundlePath === undefined) out(r.text);
  else if (r.output === 'json') outJson({ ok: true, file: r.file, bundle: r.bundlePath });
  const how =
    r.signer.kind === 'keyless'
      ? `keylessly via ${r.signer.fulcioUrl}`
      : r.signer.kind === 'pkcs11'
        ? 'with the key on the PKCS#11 token'
        : 'with the key';
  err(`Signed ${r.file} ${how}${r.bundlePath ? `; bundle written to ${r.bundlePath}` : ''}`);
}

function readBlob(path: string): Uint8Array {
  return readUserBytes({
    path,
    what: 'file',
    flag: '<file>',
    maxBytes: FILE_LIMITS.blob,
    tooLargeHint: 'sign-blob holds blobs in memory up to 1 GiB — sign large models with `modelseal sign`',
  });
}

export const signBlobCommand: CommandModule<object, Args> = {
  command: 'sign-blob <file>',
  describe:
    'sign a file with --key, or keylessly with Sigstore (Fulcio certificate, Rekor entry, optional TSA), like cosign sign-blob',
  builder: (y: Argv) =>
    withSigner(withOutput(y))
      .positional('file', { type: 'string', demandOption: true, describe: 'the file to sign' })
      .option('bundle', {
        type: 'string',
        describe: 'write the Sigstore bundle here (default: print it on stdout)',
      }) as Argv<Args>,
  handler: async (argv) => render(await run(await toOptions(argv))),
};
