import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { RegistryClientOptions } from '@modelseal/oci';
import { cliStore } from '../options/store.ts';

/** Where a signed bundle goes: a file, a store (filed by subject digest), or both. */
export interface BundleOutput {
  readonly bundlePath?: string;
  /** a store spec (dir:PATH, a path or oci://REGISTRY/REPOSITORY); undefined = no store */
  readonly store?: string;
  /** how to reach the registry of an oci:// store */
  readonly registry?: RegistryClientOptions;
}

export interface Published {
  readonly bundlePath?: string;
  readonly storePath?: string;
  /** what was signed and the digest it is filed under: what a ModelAttestation resource carries */
  readonly bundle: Uint8Array;
  readonly filedUnder: string;
}

/** The one way a signing flow writes what it signed. */
export async function publishBundle(
  bundle: Uint8Array,
  subjectDigest: string,
  predicateType: string,
  out: BundleOutput,
): Promise<Published> {
  let bundlePath: string | undefined;
  if (out.bundlePath !== undefined) {
    bundlePath = resolve(out.bundlePath);
    await mkdir(dirname(bundlePath), { recursive: true });
    await writeFile(bundlePath, bundle);
  }
  const storePath =
    out.store === undefined
      ? undefined
      : await (await cliStore(out.store, out.registry)).put(subjectDigest, predicateType, bundle);
  return {
    ...(bundlePath ? { bundlePath } : {}),
    ...(storePath ? { storePath } : {}),
    bundle,
    filedUnder: subjectDigest,
  };
}

/** Bundles are written as compact JSON, as model_signing and cosign write them. */
export function bundleBytes(bundle: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(bundle));
}
