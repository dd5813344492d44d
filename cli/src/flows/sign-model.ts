import type { Statement } from '@modelseal/attest';
import { InputError } from '@modelseal/core';
import type { Serialization } from '@modelseal/manifest';
import type { SignerConfig } from '@modelseal/sign';
import { progressReporter } from '../io.ts';
import { type BundleOutput, bundleBytes, type Published, publishBundle } from './publish.ts';
import type { Subject } from './subject.ts';

export interface SignModelOptions {
  readonly model: string;
  readonly serialization: Serialization;
  /** absolute paths left out of the hash (the bundle itself, when it lives inside the model) */
  readonly extraIgnore: readonly string[];
  readonly ignoreGitPaths: boolean;
  readonly signer: SignerConfig;
  readonly write: BundleOutput;
}

export interface SignModelResult extends Published {
  readonly subject: Subject;
  readonly statement: Statement;
  readonly resources: number;
}

/**
 * The one sign path for a model or dataset (`sign`, `attest --type oms`): hash, build the OMS
 * statement, sign it, write the bundle where asked.
 */
export async function signModel(o: SignModelOptions): Promise<SignModelResult> {
  const { hashModel } = await import('@modelseal/hashing');
  const { omsStatement, serializeStatement } = await import('@modelseal/attest');
  const { createSigner } = await import('@modelseal/sign');
  // Load the key before hashing: a wrong passphrase should not cost a full hash of the model.
  const signer = createSigner(o.signer);
  const progress = progressReporter('hashing');
  const manifest = await hashModel(o.model, {
    serialization: o.serialization,
    extraIgnore: o.extraIgnore,
    ignoreGitPaths: o.ignoreGitPaths,
    onProgress: progress.update,
  }).finally(progress.end);
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
  return {
    ...published,
    subject: { name: manifest.modelName, digest },
    statement,
    resources: manifest.resources.length,
  };
}
