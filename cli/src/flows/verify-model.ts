import type { IdentityPolicy, TrustConfig, VerifiedStatement } from '@modelseal/verify';
import { progressReporter } from '../io.ts';
import { readBundleFile } from '../options/files.ts';

export interface VerifyModelOptions {
  readonly model: string;
  readonly bundlePath: string;
  readonly trust: TrustConfig;
  readonly identity?: IdentityPolicy;
  readonly now: Date;
  /** added to the signed ignore_paths (model_signing's --ignore-paths) */
  readonly ignorePaths: readonly string[];
  readonly ignoreGitPaths: boolean;
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
  const bundle = readBundleFile(o.bundlePath);
  const verified = await verifyBundle({
    bundle,
    trust: o.trust,
    now: o.now,
    ...(o.identity ? { identity: o.identity } : {}),
  });
  const signed = manifestFromOmsStatement(verified.statement);
  const progress = progressReporter('hashing');
  const actual = await hashModel(o.model, {
    serialization: {
      ...signed.serialization,
      ignorePaths: [...signed.serialization.ignorePaths, ...o.ignorePaths],
    },
    extraIgnore: [o.bundlePath],
    ignoreGitPaths: o.ignoreGitPaths,
    onProgress: progress.update,
  }).finally(progress.end);
  checkManifest(signed, actual);
  return { verified, signedBy: describeSigner(verified.signer), resources: signed.resources.length };
}
