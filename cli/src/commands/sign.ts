import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import type { SignModelOptions, SignModelResult } from '../flows/sign-model.ts';
import { err, type OutputFormat, outJson } from '../io.ts';
import {
  checkModelSigningExtras,
  type MethodArgs,
  type ModelSigningExtraArgs,
  methodFlagError,
  SIGN_METHODS,
  type SignMethod,
  splitMethod,
  withMethodPositionals,
  withModelSigningExtras,
} from '../options/method.ts';
import { bundlesToSkip, locateModel } from '../options/model.ts';
import { type OutputArgs, withOutput } from '../options/output.ts';
import { type RegistryArgs, withRegistry } from '../options/registry.ts';
import { type SerializationArgs, serializationFrom, withSerialization } from '../options/serialization.ts';
import { type SignerArgs, signerFrom, withSigner } from '../options/signer.ts';

interface Args
  extends OutputArgs,
    SerializationArgs,
    SignerArgs,
    RegistryArgs,
    MethodArgs,
    ModelSigningExtraArgs {
  bundle?: string;
  store?: string;
  'signing-certificate'?: string;
  'pkcs11-uri'?: string;
  incremental: boolean;
  'digest-cache'?: string;
}

interface Options extends SignModelOptions {
  readonly output: OutputFormat;
}

async function toOptions(argv: Args, path: string, method: SignMethod | undefined): Promise<Options> {
  // model_signing writes model.sig in the current directory when a method word is used
  const location = locateModel(path, argv.bundle ?? (method ? 'model.sig' : undefined));
  return Object.freeze({
    model: location.model,
    signer: await signerFrom(signerArgs(argv, method)),
    serialization: await serializationFrom(argv, path),
    extraIgnore: bundlesToSkip(location),
    ignoreGitPaths: argv['ignore-git-paths'],
    // the bundle always goes where model_signing puts it; the store only when asked
    write: { bundlePath: location.bundle, ...(argv.store ? { store: argv.store } : {}) },
    output: argv.output,
    // model_signing's command line gets the name model_signing's verifier expects
    singleFileName: method ? 'dot' : 'basename',
    ...(argv.incremental ? { incremental: { cacheDir: digestCacheDir(argv['digest-cache']) } } : {}),
  });
}

/**
 * The signer flags a method word implies: `--signing-certificate` leads the chain, a PKCS#11 URI
 * is the key (the key loader decides what a `pkcs11:` key is), and each method takes its own flags.
 */
function signerArgs(argv: Args, method: SignMethod | undefined): SignerArgs {
  checkModelSigningExtras(argv);
  const uri = argv['pkcs11-uri'];
  if (uri !== undefined && argv.key !== undefined) {
    throw methodFlagError(method ?? 'pkcs11-key', 'give the key once: --pkcs11-uri or --private-key');
  }
  const key = argv.key ?? uri;
  const leaf = argv['signing-certificate'];
  const chain = [...(leaf === undefined ? [] : [leaf]), ...(argv['certificate-chain'] ?? [])];
  switch (method) {
    case undefined:
      break;
    case 'key':
      if (uri !== undefined) throw methodFlagError(method, 'a PKCS#11 key is method pkcs11-key');
      if (key === undefined) throw methodFlagError(method, 'pass the private key with --private-key');
      if (chain.length > 0) throw methodFlagError(method, 'certificates belong to method certificate');
      break;
    case 'certificate':
      if (key === undefined) throw methodFlagError(method, 'pass the private key with --private-key');
      if (leaf === undefined && chain.length === 0) {
        throw methodFlagError(method, 'pass the signing certificate with --signing-certificate');
      }
      break;
    case 'sigstore':
      if (key !== undefined || chain.length > 0) {
        throw methodFlagError(method, 'keyless signing takes no key or certificate');
      }
      break;
    case 'pkcs11-key':
      if (key === undefined) throw methodFlagError(method, 'pass the key URI with --pkcs11-uri pkcs11:…');
      if (chain.length > 0) throw methodFlagError(method, 'certificates belong to method certificate');
      break;
    default:
      return method satisfies never;
  }
  return { ...argv, ...(key === undefined ? {} : { key }), 'certificate-chain': chain };
}

/** --digest-cache, else $XDG_CACHE_HOME/modelseal/digests, else ~/.cache/modelseal/digests */
function digestCacheDir(flag: string | undefined): string {
  if (flag) return resolve(flag);
  const base = process.env.XDG_CACHE_HOME ? resolve(process.env.XDG_CACHE_HOME) : join(homedir(), '.cache');
  return join(base, 'modelseal', 'digests');
}

async function run(o: Options): Promise<SignModelResult & { output: OutputFormat }> {
  const { signModel } = await import('../flows/sign-model.ts');
  return { ...(await signModel(o)), output: o.output };
}

function render(r: Awaited<ReturnType<typeof run>>): void {
  const subject = r.statement.subject[0];
  if (r.output === 'json') {
    outJson({
      ok: true,
      bundle: r.bundlePath,
      ...(r.storePath ? { store: r.storePath } : {}),
      ...(r.huggingFace ? { huggingFace: r.huggingFace } : {}),
      subject,
      predicateType: r.statement.predicateType,
      resources: r.resources,
      ...(r.incremental ? { incremental: r.incremental } : {}),
    });
    return;
  }
  err(`Signed ${r.resources} resource(s) of ${subject?.name}; bundle written to ${r.bundlePath}`);
  if (r.storePath) err(`  store: ${r.storePath}`);
  if (r.incremental) {
    const i = r.incremental;
    err(`  incremental: ${i.reused} file(s) unchanged, ${i.hashed} hashed (${i.hashedBytes} bytes)`);
  }
  if (r.huggingFace) err(`  Hugging Face ${r.huggingFace.repo} at revision ${r.huggingFace.revision}`);
}

export const signCommand: CommandModule<object, Args> = {
  command: 'sign <path> [model]',
  describe:
    'sign a model directory or file with a key (or key + certificate chain), or keylessly with Sigstore when no --key is given',
  builder: (y: Argv) =>
    withMethodPositionals(
      withModelSigningExtras(withRegistry(withSigner(withSerialization(withOutput(y))))),
      SIGN_METHODS,
    )
      .usage('$0 sign [key|certificate|sigstore|pkcs11-key] <path> [options]')
      .option('signing-certificate', {
        alias: ['signing_certificate'],
        type: 'string',
        requiresArg: true,
        describe: 'the signing certificate (PEM); --certificate-chain then names the rest of the chain',
      })
      .option('pkcs11-uri', {
        alias: ['pkcs11_uri'],
        type: 'string',
        requiresArg: true,
        describe: 'PKCS#11 URI of the private key (RFC 7512), as with --key pkcs11:…',
      })
      .option('bundle', {
        alias: ['signature'],
        type: 'string',
        describe:
          'where to write the bundle (default: model.sig inside a directory, <file>.sig beside a file; after a method word, model.sig in the current directory as in model_signing)',
      })
      .option('incremental', {
        type: 'boolean',
        default: false,
        describe:
          'reuse the digests of files unchanged since the last incremental sign (same device, inode, size, mtime, ctime); verification never does',
      })
      .option('digest-cache', {
        type: 'string',
        describe: 'digest cache directory for --incremental (default: $XDG_CACHE_HOME/modelseal/digests)',
      })
      .option('store', {
        type: 'string',
        describe:
          'also file the bundle in this attestation store: dir:PATH or a path (e.g. .modelseal/attestations)',
      }) as Argv<Args>,
  handler: async (argv) => {
    const { method, path } = splitMethod(argv, SIGN_METHODS);
    const target = await (await import('../options/target.ts')).classifyTarget(path);
    if (target.kind === 'oci') {
      return (await import('./reference.ts')).signByReference(target.ref, signerArgs(argv, method) as Args);
    }
    render(await run(await toOptions(argv, path, method)));
  },
};
