import { existsSync } from 'node:fs';
import { isModelsealError } from '@modelseal/core';
import type { Argv, CommandModule } from 'yargs';
import type { VerifyModelOptions, VerifyModelResult } from '../flows/verify-model.ts';
import { err, type OutputFormat, outJson } from '../io.ts';
import {
  type MethodArgs,
  methodFlagError,
  splitMethod,
  VERIFY_METHODS,
  type VerifyMethod,
  withMethodPositionals,
} from '../options/method.ts';
import { locateModel } from '../options/model.ts';
import { type OutputArgs, withOutput } from '../options/output.ts';
import { type RegistryArgs, withRegistry } from '../options/registry.ts';
import { ignorePathsFor, withIgnore } from '../options/serialization.ts';
import { resolveTrust, type TrustArgs, withTrust } from '../options/trust.ts';

interface Args extends OutputArgs, TrustArgs, RegistryArgs, MethodArgs {
  bundle?: string;
  'ignore-unsigned-files': boolean;
  'ignore-paths'?: string[];
  'ignore-git-paths': boolean;
  store?: string;
  'allow-symlinks': boolean;
}

interface Options extends VerifyModelOptions {
  readonly output: OutputFormat;
}

function toOptions(argv: Args, path: string, method: VerifyMethod | undefined): Options {
  const location = locateModel(path, argv.bundle ?? (method ? methodDefaultBundle() : undefined));
  return Object.freeze({
    ...trustFor(argv, method),
    model: location.model,
    bundlePath: location.bundle,
    defaultBundle: location.defaultBundle,
    ignorePaths: ignorePathsFor(argv['ignore-paths'] ?? [], path),
    ignoreUnsignedFiles: argv['ignore-unsigned-files'],
    ignoreGitPaths: argv['ignore-git-paths'],
    allowSymlinks: argv['allow-symlinks'],
    output: argv.output,
  });
}

/** model_signing's `model.sig` in the current directory when it is there; else the model's own. */
function methodDefaultBundle(): string | undefined {
  return existsSync('model.sig') ? 'model.sig' : undefined;
}

const TRUST_OF: Record<VerifyMethod, { kind: string; flags: string }> = {
  key: { kind: 'keys', flags: '--public-key' },
  certificate: { kind: 'certificate-roots', flags: '--certificate-chain' },
  sigstore: { kind: 'sigstore', flags: '--identity and --identity-provider' },
};

/** The trust the flags give, which must be the method's when a method word was used. */
function trustFor(argv: Args, method: VerifyMethod | undefined): ReturnType<typeof resolveTrust> {
  const resolved = resolveTrust(argv);
  if (method !== undefined && resolved.trust.kind !== TRUST_OF[method].kind) {
    throw methodFlagError(method, `verify with ${TRUST_OF[method].flags}`);
  }
  return resolved;
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
  command: 'verify <path> [model]',
  describe: 'verify a model directory or file against its signature bundle',
  builder: (y: Argv) =>
    withMethodPositionals(withRegistry(withIgnore(withTrust(withOutput(y)))), VERIFY_METHODS)
      .usage('$0 verify [key|certificate|sigstore] <path> [options]')
      .option('ignore-unsigned-files', {
        alias: ['ignore_unsigned_files'],
        type: 'boolean',
        default: false,
        describe: 'leave out files the signature does not list instead of failing on them',
      })
      .option('store', {
        type: 'string',
        describe:
          'for a reference: where its signature is filed (default: its own repository, as a referrer)',
      })
      .option('bundle', {
        alias: ['signature'],
        type: 'string',
        describe:
          'bundle to check (default: model.sig inside a directory, <file>.sig beside a file; after a method word, model.sig in the current directory first, as in model_signing)',
      })
      .option('allow-symlinks', {
        alias: ['allow_symlinks'],
        type: 'boolean',
        default: false,
        describe:
          'follow symlinks (inside the model, or into a Hugging Face cache repository’s blobs/) even if the signature did not',
      }) as Argv<Args>,
  handler: async (argv) => {
    const { method, path } = splitMethod(argv, VERIFY_METHODS);
    const target = await (await import('../options/target.ts')).classifyTarget(path);
    if (target.kind === 'oci') return (await import('./reference.ts')).verifyByReference(target.ref, argv);
    render(await run(toOptions(argv, path, method)));
  },
};
