import { isModelsealError } from '@modelseal/core';
import type { Argv, CommandModule } from 'yargs';
import type { VerifyModelOptions, VerifyModelResult } from '../flows/verify-model.ts';
import { err, type OutputFormat, outJson } from '../io.ts';
import { locateModel } from '../options/model.ts';
import { type OutputArgs, withOutput } from '../options/output.ts';
import { type RegistryArgs, withRegistry } from '../options/registry.ts';
import { withIgnore } from '../options/serialization.ts';
import { resolveTrust, type TrustArgs, withTrust } from '../options/trust.ts';

interface Args extends OutputArgs, TrustArgs, RegistryArgs {
  path: string;
  bundle?: string;
  'ignore-paths'?: string[];
  'ignore-git-paths': boolean;
  store?: string;
  'allow-symlinks': boolean;
}

interface Options extends VerifyModelOptions {
  readonly output: OutputFormat;
}

function toOptions(argv: Args): Options {
  const location = locateModel(argv.path, argv.bundle);
  return Object.freeze({
    ...resolveTrust(argv),
    model: location.model,
    bundlePath: location.bundle,
    defaultBundle: location.defaultBundle,
    ignorePaths: argv['ignore-paths'] ?? [],
    ignoreGitPaths: argv['ignore-git-paths'],
    allowSymlinks: argv['allow-symlinks'],
    output: argv.output,
  });
}

async function run(o: Options): Promise<VerifyModelResult & { o: Options }> {
  const { verifyModel } = await import('../flows/verify-model.ts');
  try {
    return { ...(await verifyModel(o)), o };
  } catch (e) {
    if (isModelsealError(e) && e.kind !== 'usage') err('Verification failed');
    throw e;
  }
}

function render(r: Awaited<ReturnType<typeof run>>): void {
  const { verified, o } = r;
  err(`Verification succeeded: ${o.model} (${r.resources} resources) signed by ${r.signedBy}`);
  if (o.output === 'json') {
    outJson({
      ok: true,
      model: o.model,
      bundle: o.bundlePath,
      bundleDigest: verified.bundleDigest,
      signer: verified.signer,
      predicateType: verified.statement.predicateType,
      subject: verified.statement.subject,
      resources: r.resources,
    });
  }
}

export const verifyCommand: CommandModule<object, Args> = {
  command: 'verify <path>',
  describe: 'verify a model directory or file against its signature bundle',
  builder: (y: Argv) =>
    withRegistry(withIgnore(withTrust(withOutput(y))))
      .positional('path', {
        type: 'string',
        demandOption: true,
        describe:
          'model directory or file, or an OCI reference (registry/repo:tag, oci://…; see docs/oci.md)',
      })
      .option('store', {
        type: 'string',
        describe:
          'for a reference: where its signature is filed (default: its own repository, as a referrer)',
      })
      .option('bundle', {
        alias: ['signature'],
        type: 'string',
        describe: 'bundle to check (default: model.sig inside a directory, <file>.sig beside a file)',
      })
      .option('allow-symlinks', {
        type: 'boolean',
        default: false,
        describe:
          'follow symlinks (inside the model, or into a Hugging Face cache repository’s blobs/) even if the signature did not',
      }) as Argv<Args>,
  handler: async (argv) => {
    const target = await (await import('../options/target.ts')).classifyTarget(argv.path);
    if (target.kind === 'oci') return (await import('./reference.ts')).verifyByReference(target.ref, argv);
    render(await run(toOptions(argv)));
  },
};
