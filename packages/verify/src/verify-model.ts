import { manifestFromOmsStatement } from '@modelseal/attest';
import { DigestMismatchError } from '@modelseal/core';
import type { Manifest, ManifestDiff } from '@modelseal/manifest';
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

/** Resource-by-resource comparison; names are unique in both (checked when parsed/hashed). */
export function compareManifests(signed: Manifest, actual: Manifest): ManifestDiff {
  const want = new Map(signed.resources.map((r) => [r.name, r]));
  const have = new Map(actual.resources.map((r) => [r.name, r]));
  const changed: string[] = [];
  const missing: string[] = [];
  for (const [name, r] of want) {
    const h = have.get(name);
    if (!h) missing.push(name);
    else if (h.digest !== r.digest || h.algorithm !== r.algorithm) changed.push(name);
  }
  const extra = [...have.keys()].filter((n) => !want.has(n));
  const s = signed.serialization;
  const a = actual.serialization;
  const parameters: string[] = [];
  if (s.method !== a.method) parameters.push('method');
  if (s.hashType !== a.hashType) parameters.push('hash_type');
  if (s.method === 'shards' && a.method === 'shards' && s.shardSize !== a.shardSize)
    parameters.push('shard_size');
  return { changed, missing, extra, parameters };
}

const list = (names: readonly string[]): string =>
  names.length <= 10 ? names.join(', ') : `${names.slice(0, 10).join(', ')} and ${names.length - 10} more`;

/** Throws MODEL_DIGEST_MISMATCH naming what differs between the signature and the files. */
export function checkManifest(signed: Manifest, actual: Manifest): void {
  const diff = compareManifests(signed, actual);
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
