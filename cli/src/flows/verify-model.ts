import { statSync } from 'node:fs';
import type { IdentityPolicy, TrustConfig, VerifiedStatement } from '@modelseal/verify';
import { err, progressReporter } from '../io.ts';
import { readBundleFile } from '../options/files.ts';
import { bundlesToSkip } from '../options/model.ts';
import { matchSingleFile } from './single-file.ts';

export interface VerifyModelOptions {
  readonly model: string;
  readonly bundlePath: string;
  /** where `sign` puts the bundle when none is named: never hashed, unless the signature lists it */
  readonly defaultBundle: string;
  readonly trust: TrustConfig;
  readonly identity?: IdentityPolicy;
  readonly now: Date;
  /** added to the signed ignore_paths (model_signing's --ignore-paths) */
  readonly ignorePaths: readonly string[];
  readonly ignoreGitPaths: boolean;
  /** model_signing's --ignore-unsigned-files: files the signature does not list are left out */
  readonly ignoreUnsignedFiles?: boolean;
  /** follow symlinks even if the signature did not (a Hugging Face cache snapshot is all links) */
  readonly allowSymlinks: boolean;
}

export interface VerifyModelResult {
  readonly verified: VerifiedStatement;
  readonly signedBy: string;
  readonly resources: number;
}

/** Signature first (cheap), then hash the files with the parameters that were signed. */
export async function verifyModel(o: VerifyModelOptions): Promise<VerifyModelResult> {
  const { verifyBundle, checkManifest, describeSigner } = await import('@modelseal/verify');
  const { manifestFromOmsStatement } = await import('@modelseal/attest');
  const { hashModel } = await import('@modelseal/hashing');
  const { resourceFile } = await import('@modelseal/manifest');
  const bundle = readBundleFile(o.bundlePath);
  const verified = await verifyBundle({
    bundle,
    trust: o.trust,
    now: o.now,
    ...(o.identity ? { identity: o.identity } : {}),
  });
  const signed = manifestFromOmsStatement(verified.statement);
  const progress = progressReporter('hashing');
  const hashed = await hashModel(o.model, {
    serialization: {
      ...signed.serialization,
      // a signature made with symlinks followed is checked the same way, flag or not
      allowSymlinks: signed.serialization.allowSymlinks || o.allowSymlinks,
      ignorePaths: [...signed.serialization.ignorePaths, ...o.ignorePaths],
    },
    extraIgnore: bundlesToSkip(
      { model: o.model, bundle: o.bundlePath, defaultBundle: o.defaultBundle },
      new Set(signed.resources.map((r) => resourceFile(r.name, signed.serialization.method))),
    ),
    ignoreGitPaths: o.ignoreGitPaths,
    onProgress: progress.update,
    onNote: err,
  }).finally(progress.end);
  const actual = statSync(o.model).isFile()
    ? matchSingleFile(hashed, signed.resources, signed.serialization)
    : hashed;
  // --allow-symlinks changes how the files are read, not what was signed: compare the files
  const allowSymlinks = signed.serialization.allowSymlinks;
  const signedFiles = new Set(signed.resources.map((r) => resourceFile(r.name, signed.serialization.method)));
  const resources = o.ignoreUnsignedFiles
    ? actual.resources.filter((r) => signedFiles.has(resourceFile(r.name, actual.serialization.method)))
    : actual.resources;
  checkManifest(signed, {
    ...actual,
    resources,
    serialization: { ...actual.serialization, allowSymlinks },
  });
  return { verified, signedBy: describeSigner(verified.signer), resources: signed.resources.length };
}
