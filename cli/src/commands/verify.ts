import { isModelsealError } from '@modelseal/core';
import type { Argv, CommandModule } from 'yargs';
import { err, outJson, progressReporter } from '../io.ts';
import { readBundleFile } from '../options/files.ts';
import { bundlesToSkip, locateModel, type ModelLocation } from '../options/model.ts';
import { type OutputArgs, withOutput } from '../options/output.ts';
import { withIgnore } from '../options/serialization.ts';
import { type ResolvedTrust, resolveTrust, type TrustArgs, withTrust } from '../options/trust.ts';

interface Args extends OutputArgs, TrustArgs {
  path: string;
  bundle?: string;
  'ignore-paths'?: string[];
  'ignore-git-paths': boolean;
  'allow-symlinks': boolean;
}

interface Options extends ResolvedTrust {
  readonly location: ModelLocation;
  readonly ignorePaths: readonly string[];
  readonly ignoreGitPaths: boolean;
  readonly allowSymlinks: boolean;
  readonly output: Args['output'];
}

function toOptions(argv: Args): Options {
  return Object.freeze({
    ...resolveTrust(argv),
    location: locateModel(argv.path, argv.bundle),
    ignorePaths: argv['ignore-paths'] ?? [],
    ignoreGitPaths: argv['ignore-git-paths'],
    allowSymlinks: argv['allow-symlinks'],
    output: argv.output,
  });
}

/** Signature first (cheap), then hash the files with the parameters that were signed. */
async function run(o: Options) {
  const { verifyBundle, checkManifest, describeSigner } = await import('@modelseal/verify');
  const { manifestFromOmsStatement } = await import('@modelseal/attest');
  const { hashModel, resourceFile } = await import('@modelseal/manifest');
  const bundle = readBundleFile(o.location.bundle);
  const verified = await verifyBundle({
    bundle,
    trust: o.trust,
    now: o.now,
    ...(o.identity ? { identity: o.identity } : {}),
  });
  const signed = manifestFromOmsStatement(verified.statement);
  const progress = progressReporter('hashing');
  const actual = await hashModel(o.location.model, {
    serialization: {
      ...signed.serialization,
      // a signature made with symlinks followed is checked the same way, flag or not
      allowSymlinks: signed.serialization.allowSymlinks || o.allowSymlinks,
      ignorePaths: [...signed.serialization.ignorePaths, ...o.ignorePaths],
    },
    extraIgnore: bundlesToSkip(
      o.location,
      new Set(signed.resources.map((r) => resourceFile(r.name, signed.serialization.method))),
    ),
    ignoreGitPaths: o.ignoreGitPaths,
    onProgress: progress.update,
  }).finally(progress.end);
  // --allow-symlinks changes how the files are read, not what was signed: compare the files
  const allowSymlinks = signed.serialization.allowSymlinks;
  checkManifest(signed, { ...actual, serialization: { ...actual.serialization, allowSymlinks } });
  return { verified, signedBy: describeSigner(verified.signer), resources: signed.resources.length, o };
}

function render(r: Awaited<ReturnType<typeof run>>): void {
  const { verified, o } = r;
  err(`Verification succeeded: ${o.location.model} (${r.resources} resources) signed by ${r.signedBy}`);
  if (o.output === 'json') {
    outJson({
      ok: true,
      model: o.location.model,
      bundle: o.location.bundle,
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
    withIgnore(withTrust(withOutput(y)))
      .positional('path', { type: 'string', demandOption: true, describe: 'model directory or file' })
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
    try {
      render(await run(toOptions(argv)));
    } catch (e) {
      if (isModelsealError(e) && e.kind !== 'usage') err('Verification failed');
      throw e;
    }
  },
};
