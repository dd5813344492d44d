import { manifestFromOmsStatement } from '@modelseal/attest';
import { DigestMismatchError } from '@modelseal/core';
import { diffManifests, type Manifest } from '@modelseal/manifest';
import type { IdentityPolicy, TrustConfig, VerifiedStatement } from './types.ts';
import { verifyBundle } from './verify-bundle.ts';

export interface VerifyModelOptions {
  readonly bundle: Uint8Array | unknown;
  /** the model as hashed from disk with the signed serialization parameters */
  readonly manifest: Manifest;
  readonly trust: TrustConfig;
  readonly identity?: IdentityPolicy;
  readonly now?: Date;
}

export interface VerifiedModel extends VerifiedStatement {
  readonly signed: Manifest;
}

export async function verifyModel(options: VerifyModelOptions): Promise<VerifiedModel> {
  const verified = await verifyBundle(options);
  const signed = manifestFromOmsStatement(verified.statement);
  checkManifest(signed, options.manifest);
  return { ...verified, signed };
}

const list = (names: readonly string[]): string =>
  names.length <= 10 ? names.join(', ') : `${names.slice(0, 10).join(', ')} and ${names.length - 10} more`;

/** Throws MODEL_DIGEST_MISMATCH naming what differs between the signature and the files. */
export function checkManifest(signed: Manifest, actual: Manifest): void {
  const diff = diffManifests(signed, actual);
  const parts: string[] = [];
  if (diff.parameters.length) parts.push(`serialization differs (${diff.parameters.join(', ')})`);
  if (diff.changed.length) parts.push(`changed: ${list(diff.changed)}`);
  if (diff.missing.length) parts.push(`missing: ${list(diff.missing)}`);
  if (diff.extra.length) parts.push(`not signed: ${list(diff.extra)}`);
  if (parts.length === 0) return;
  throw new DigestMismatchError({
    code: 'MODEL_DIGEST_MISMATCH',
    message: `the model does not match its signature; ${parts.join('; ')}`,
    details: { changed: diff.changed, missing: diff.missing, extra: diff.extra, parameters: diff.parameters },
  });
}
