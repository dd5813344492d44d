import { realpathSync, statSync } from 'node:fs';
import type { Statement } from '@modelseal/attest';
import { InputError } from '@modelseal/core';
import type { Serialization } from '@modelseal/manifest';
import type { SignerConfig } from '@modelseal/sign';
import { err, progressReporter } from '../io.ts';
import { modelSigningWarning } from '../options/signer.ts';
import { type BundleOutput, bundleBytes, type Published, publishBundle } from './publish.ts';
import { nameSingleFile, type SingleFileName } from './single-file.ts';
import type { Subject } from './subject.ts';

export interface SignModelOptions {
  readonly model: string;
  readonly serialization: Serialization;
  /** absolute paths left out of the hash (the bundle itself, when it lives inside the model) */
  readonly extraIgnore: readonly string[];
  readonly ignoreGitPaths: boolean;
  readonly signer: SignerConfig;
  readonly write: BundleOutput;
  /** a single file's resource name: OMS v1.0's basename (default) or model_signing 1.1's `.` */
  readonly singleFileName?: SingleFileName;
  /** reuse digests of files unchanged since the last incremental sign (docs/hashing.md) */
  readonly incremental?: { readonly cacheDir: string };
}

/** The Hugging Face cache revision a signed snapshot came from. */
export interface HuggingFaceRevision {
  readonly repo: string;
  readonly kind: 'models' | 'datasets' | 'spaces';
  /** the snapshot folder's name, a commit id */
  readonly revision: string;
}

export interface SignModelResult extends Published {
  readonly subject: Subject;
  readonly huggingFace?: HuggingFaceRevision;
  readonly statement: Statement;
  readonly resources: number;
  readonly incremental?: IncrementalSummary;
}

/** What an incremental sign reused; files hashed again are named nowhere, only counted. */
export interface IncrementalSummary {
  readonly reused: number;
  readonly hashed: number;
  readonly hashedBytes: number;
  readonly cacheFile?: string;
}

/**
 * The one sign path for a model or dataset (`sign`, `attest --type oms`): hash, build the OMS
 * statement, sign it, write the bundle where asked.
 */
export async function signModel(o: SignModelOptions): Promise<SignModelResult> {
  const { hashModel, hashModelIncremental, huggingFaceSnapshot } = await import('@modelseal/hashing');
  const { omsStatement, serializeStatement } = await import('@modelseal/attest');
  const { createSigner } = await import('@modelseal/sign');
  // Load the key before hashing: a wrong passphrase should not cost a full hash of the model.
  const signer = createSigner(o.signer);
  const warning = await modelSigningWarning(o.signer);
  if (warning) err(`warning: ${warning}`);
  const progress = progressReporter('hashing');
  const hashOptions = {
    serialization: o.serialization,
    extraIgnore: o.extraIgnore,
    ignoreGitPaths: o.ignoreGitPaths,
    onProgress: progress.update,
    onNote: err,
  };
  let incremental: IncrementalSummary | undefined;
  let hashed: Awaited<ReturnType<typeof hashModel>>;
  try {
    if (o.incremental) {
      const r = await hashModelIncremental(o.model, { ...hashOptions, cacheDir: o.incremental.cacheDir });
      for (const note of r.notes) err(`note: ${note}`);
      hashed = r.manifest;
      incremental = {
        reused: r.reused,
        hashed: r.hashed,
        hashedBytes: r.hashedBytes,
        ...(r.cacheFile ? { cacheFile: r.cacheFile } : {}),
      };
    } else hashed = await hashModel(o.model, hashOptions);
  } finally {
    progress.end();
  }
  const manifest = statSync(o.model).isFile()
    ? nameSingleFile(hashed, o.model, o.singleFileName ?? 'basename')
    : hashed;
  if (manifest.resources.length === 0) {
    throw new InputError({
      code: 'MODEL_EMPTY',
      message: `${o.model} holds no files to sign (after ignore rules)`,
    });
  }
  const statement = omsStatement(manifest);
  const bundle = bundleBytes(await signer.sign(serializeStatement(statement)));
  const digest = `sha256:${statement.subject[0]?.digest?.['sha256'] ?? ''}`;
  const published = await publishBundle(bundle, digest, statement.predicateType, o.write);
  const hf = huggingFaceSnapshot(realpathSync(o.model));
  return {
    ...published,
    ...(hf ? { huggingFace: { repo: hf.repo, kind: hf.kind, revision: hf.revision } } : {}),
    subject: { name: manifest.modelName, digest },
    statement,
    resources: manifest.resources.length,
    ...(incremental ? { incremental } : {}),
  };
}
