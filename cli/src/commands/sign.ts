import { realpathSync, writeFileSync } from 'node:fs';
import { InputError } from '@modelseal/core';
import type { Serialization } from '@modelseal/manifest';
import type { SignerConfig } from '@modelseal/sign';
import type { Argv, CommandModule } from 'yargs';
import { err, outJson, progressReporter } from '../io.ts';
import { bundlesToSkip, locateModel, type ModelLocation } from '../options/model.ts';
import { type OutputArgs, withOutput } from '../options/output.ts';
import { type SerializationArgs, serializationFrom, withSerialization } from '../options/serialization.ts';
import { modelSigningWarning, type SignerArgs, signerFrom, withSigner } from '../options/signer.ts';

interface Args extends OutputArgs, SerializationArgs, SignerArgs {
  path: string;
  bundle?: string;
  store?: string;
}

interface Options {
  readonly location: ModelLocation;
  readonly signer: SignerConfig;
  readonly serialization: Serialization;
  readonly ignoreGitPaths: boolean;
  readonly output: Args['output'];
  readonly store?: string;
}

async function toOptions(argv: Args): Promise<Options> {
  const location = locateModel(argv.path, argv.bundle);
  const signer = await signerFrom(argv);
  return Object.freeze({
    location,
    signer,
    serialization: await serializationFrom(argv),
    ignoreGitPaths: argv['ignore-git-paths'],
    output: argv.output,
    ...(argv.store ? { store: argv.store } : {}),
  });
}

async function run(o: Options) {
  const { hashModel, huggingFaceSnapshot } = await import('@modelseal/manifest');
  const { omsStatement, serializeStatement } = await import('@modelseal/attest');
  const { createSigner } = await import('@modelseal/sign');
  // Load the key before hashing: a wrong passphrase should not cost a full hash of the model.
  const signer = createSigner(o.signer);
  const warning = await modelSigningWarning(o.signer);
  if (warning) err(`warning: ${warning}`);
  const progress = progressReporter('hashing');
  const manifest = await hashModel(o.location.model, {
    serialization: o.serialization,
    extraIgnore: bundlesToSkip(o.location),
    ignoreGitPaths: o.ignoreGitPaths,
    onProgress: progress.update,
  }).finally(progress.end);
  if (manifest.resources.length === 0) {
    throw new InputError({
      code: 'MODEL_EMPTY',
      message: `${o.location.model} holds no files to sign (after ignore rules)`,
    });
  }
  const statement = omsStatement(manifest);
  const bundle = await signer.sign(serializeStatement(statement));
  const text = JSON.stringify(bundle);
  writeFileSync(o.location.bundle, text);
  const stored = o.store ? await fileInStore(o.store, statement, text) : undefined;
  // which revision of a Hugging Face cache was signed: the snapshot folder's name, a commit id
  const hf = huggingFaceSnapshot(realpathSync(o.location.model));
  return {
    huggingFace: hf && { repo: hf.repo, kind: hf.kind, revision: hf.revision },
    bundle: o.location.bundle,
    stored,
    statement,
    resources: manifest.resources.length,
    output: o.output,
  };
}

/** Also files the bundle by subject digest, where verify-attestation and the webhook look. */
async function fileInStore(
  root: string,
  statement: { subject: readonly { digest?: Readonly<Record<string, string>> }[]; predicateType: string },
  text: string,
) {
  const { directoryStore } = await import('@modelseal/store');
  const hex = statement.subject[0]?.digest?.['sha256'] ?? '';
  return directoryStore(root).put(`sha256:${hex}`, statement.predicateType, new TextEncoder().encode(text));
}

function render(r: Awaited<ReturnType<typeof run>>): void {
  const subject = r.statement.subject[0];
  if (r.output === 'json') {
    outJson({
      ok: true,
      bundle: r.bundle,
      ...(r.stored ? { store: r.stored } : {}),
      ...(r.huggingFace ? { huggingFace: r.huggingFace } : {}),
      subject,
      predicateType: r.statement.predicateType,
      resources: r.resources,
    });
    return;
  }
  err(`Signed ${r.resources} resource(s) of ${subject?.name}; bundle written to ${r.bundle}`);
  if (r.stored) err(`  store: ${r.stored}`);
  if (r.huggingFace) err(`  Hugging Face ${r.huggingFace.repo} at revision ${r.huggingFace.revision}`);
}

export const signCommand: CommandModule<object, Args> = {
  command: 'sign <path>',
  describe:
    'sign a model directory or file with a key (or key + certificate chain), or keylessly with Sigstore when no --key is given',
  builder: (y: Argv) =>
    withSigner(withSerialization(withOutput(y)))
      .positional('path', { type: 'string', demandOption: true, describe: 'model directory or file' })
      .option('bundle', {
        alias: ['signature'],
        type: 'string',
        describe:
          'where to write the bundle (default: model.sig inside a directory, <file>.sig beside a file)',
      })
      .option('store', {
        type: 'string',
        describe: 'also file the bundle in this attestation store (e.g. .modelseal/attestations)',
      }) as Argv<Args>,
  handler: async (argv) => render(await run(await toOptions(argv))),
};
