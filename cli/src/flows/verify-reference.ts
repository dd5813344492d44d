import { resolve } from 'node:path';
import { isModelsealError, ModelsealError, NotFoundError } from '@modelseal/core';
import type { Reference, RegistryClientOptions } from '@modelseal/oci';
import type { StoredBundle } from '@modelseal/store';
import type { IdentityPolicy, TrustConfig, VerifiedStatement } from '@modelseal/verify';
import { readBundleFile } from '../options/files.ts';
import { cliStore } from '../options/store.ts';
import { type Artifact, artifactManifest, resolveArtifact } from './artifact.ts';

export interface VerifyReferenceOptions {
  readonly ref: Reference;
  readonly registry: RegistryClientOptions;
  readonly trust: TrustConfig;
  readonly identity?: IdentityPolicy;
  readonly now: Date;
  /** a bundle file instead of the store */
  readonly bundlePath?: string;
  /** default: the artifact's own repository */
  readonly store?: string;
}

export interface VerifyReferenceResult {
  readonly artifact: Artifact;
  readonly verified: VerifiedStatement;
  readonly signedBy: string;
  readonly source: string;
  readonly resources: number;
}

/**
 * A model signature checked against an artifact in a registry, nothing downloaded but manifests
 * and bundles: the signature must verify, and its signed file list must be the artifact's layers.
 * Several bundles may be filed; the first that passes both checks wins, else the failures are named.
 */
export async function verifyReference(o: VerifyReferenceOptions): Promise<VerifyReferenceResult> {
  const { OMS_PREDICATE_TYPE, manifestFromOmsStatement } = await import('@modelseal/attest');
  const { verifyBundle, checkManifest, describeSigner } = await import('@modelseal/verify');
  const artifact = await resolveArtifact(o.ref, o.registry);
  const files = await artifactManifest(artifact);
  const store = o.store ?? artifact.store;
  const candidates: readonly StoredBundle[] =
    o.bundlePath !== undefined
      ? [{ bundle: readBundleFile(o.bundlePath), source: resolve(o.bundlePath) }]
      : await (await cliStore(store, o.registry)).find(artifact.digest, OMS_PREDICATE_TYPE);
  if (candidates.length === 0) {
    throw new NotFoundError({
      code: 'BUNDLE_NOT_FOUND',
      message: `no model signature for ${artifact.pinned} in ${store}`,
      details: { digest: artifact.digest, store },
    });
  }
  const failures: { source: string; error: unknown }[] = [];
  for (const c of candidates) {
    try {
      const verified = await verifyBundle({
        bundle: c.bundle,
        trust: o.trust,
        now: o.now,
        ...(o.identity ? { identity: o.identity } : {}),
      });
      checkManifest(manifestFromOmsStatement(verified.statement), files.manifest);
      return {
        artifact,
        verified,
        signedBy: describeSigner(verified.signer),
        source: c.source,
        resources: files.manifest.resources.length,
      };
    } catch (e) {
      failures.push({ source: c.source, error: e });
    }
  }
  const first = failures[0]!.error;
  if (failures.length === 1) throw first;
  const kind = isModelsealError(first) ? first.kind : 'verification';
  throw new ModelsealError(kind, {
    code: isModelsealError(first) ? first.code : 'VERIFY_FAILED',
    message: `none of the ${failures.length} model signatures for ${artifact.pinned} passed:\n${failures
      .map(
        (f) =>
          `  - ${f.source}: ${isModelsealError(f.error) ? `[${f.error.code}] ` : ''}${(f.error as Error).message}`,
      )
      .join('\n')}`,
  });
}
