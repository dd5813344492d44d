import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import type { SignModelOptions, SignModelResult } from '../flows/sign-model.ts';
import { err, type OutputFormat, outJson } from '../io.ts';
import { bundlesToSkip, locateModel } from '../options/model.ts';
import { type OutputArgs, withOutput } from '../options/output.ts';
import { type RegistryArgs, withRegistry } from '../options/registry.ts';
import { type SerializationArgs, serializationFrom, withSerialization } from '../options/serialization.ts';
import { type SignerArgs, signerFrom, withSigner } from '../options/signer.ts';

interface Args extends OutputArgs, SerializationArgs, SignerArgs, RegistryArgs {
  path: string;
  bundle?: string;
  store?: string;
  incremental: boolean;
  'digest-cache'?: string;
}

interface Options extends SignModelOptions {
  readonly output: OutputFormat;
}

async function toOptions(argv: Args): Promise<Options> {
  const location = locateModel(argv.path, argv.bundle);
  return Object.freeze({
    model: location.model,
    signer: await signerFrom(argv),
    serialization: await serializationFrom(argv),
    extraIgnore: bundlesToSkip(location),
    ignoreGitPaths: argv['ignore-git-paths'],
    // the bundle always goes where model_signing puts it; the store only when asked
    write: { bundlePath: location.bundle, ...(argv.store ? { store: argv.store } : {}) },
    output: argv.output,
    ...(argv.incremental ? { incremental: { cacheDir: digestCacheDir(argv['digest-cache']) } } : {}),
  });
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
  command: 'sign <path>',
  describe:
    'sign a model directory or file with a key (or key + certificate chain), or keylessly with Sigstore when no --key is given',
  builder: (y: Argv) =>
    withRegistry(withSigner(withSerialization(withOutput(y))))
      .positional('path', {
        type: 'string',
        demandOption: true,
        describe:
          'model directory or file, or an OCI reference (registry/repo:tag, oci://…; see docs/oci.md)',
      })
      .option('bundle', {
        alias: ['signature'],
        type: 'string',
        describe:
          'where to write the bundle (default: model.sig inside a directory, <file>.sig beside a file)',
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
    const target = await (await import('../options/target.ts')).classifyTarget(argv.path);
    if (target.kind === 'oci') return (await import('./reference.ts')).signByReference(target.ref, argv);
    render(await run(await toOptions(argv)));
  },
};
