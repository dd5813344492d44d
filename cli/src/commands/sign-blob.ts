import { writeFile } from 'node:fs/promises';
import type { SignerConfig } from '@modelseal/sign';
import type { Argv, CommandModule } from 'yargs';
import { err, out, outJson } from '../io.ts';
import { FILE_LIMITS, readUserBytes } from '../options/files.ts';
import { type OutputArgs, withOutput } from '../options/output.ts';
import { requireKeylessConfig, type SigstoreServiceArgs, withSigstoreServices } from '../options/sigstore.ts';

interface Args extends SigstoreServiceArgs, OutputArgs {
  file: string;
  bundle?: string;
}

interface Options {
  readonly file: string;
  readonly bundlePath: string | undefined;
  readonly signer: Extract<SignerConfig, { kind: 'keyless' }>;
  readonly output: OutputArgs['output'];
}

async function toOptions(argv: Args): Promise<Options> {
  return Object.freeze({
    file: argv.file,
    bundlePath: argv.bundle,
    signer: await requireKeylessConfig(argv),
    output: argv.output,
  });
}

async function run(o: Options) {
  const data = readBlob(o.file);
  const { keylessBlobSigner } = await import('@modelseal/sign');
  const bundle = await keylessBlobSigner(o.signer).sign(data);
  const text = JSON.stringify(bundle);
  if (o.bundlePath !== undefined) await writeFile(o.bundlePath, text);
  return { bundle, text, ...o };
}

function render(r: Awaited<ReturnType<typeof run>>): void {
  if (r.bundlePath === undefined) out(r.text);
  else if (r.output === 'json') outJson({ ok: true, file: r.file, bundle: r.bundlePath });
  err(
    `Signed ${r.file} keylessly via ${r.signer.fulcioUrl}${r.bundlePath ? `; bundle written to ${r.bundlePath}` : ''}`,
  );
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
    'sign a file keylessly with Sigstore (Fulcio certificate, Rekor entry, optional TSA), like cosign sign-blob',
  builder: (y: Argv) =>
    withSigstoreServices(withOutput(y))
      .positional('file', { type: 'string', demandOption: true, describe: 'the file to sign' })
      .option('bundle', {
        type: 'string',
        describe: 'write the Sigstore bundle here (default: print it on stdout)',
      }) as Argv<Args>,
  handler: async (argv) => render(await run(await toOptions(argv))),
};
