import { UsageError } from '@modelseal/core';
import type { RegistryClientOptions } from '@modelseal/oci';
import type { Store } from '@modelseal/store';

/** A store the CLI can file bundles in: a directory, or a registry repository (`oci://`). */
export interface WritableStore extends Store {
  /** files a bundle under the subject digest; returns where it went (a path or an oci:// source) */
  put(subjectDigest: string, predicateType: string, bundle: Uint8Array): Promise<string>;
}

/**
 * `--store SPEC` for the CLI, through openStore. Directory and OCI stores work from a command
 * line; the Kubernetes index is fed by the webhook's informer, which the CLI never loads.
 */
export async function cliStore(spec: string, registry?: RegistryClientOptions): Promise<WritableStore> {
  const { openStore } = await import('@modelseal/store');
  const opened = openStore(spec, registry ? { registry } : {});
  switch (opened.kind) {
    case 'dir':
    case 'oci':
      return opened.store;
    case 'kubernetes':
      throw new UsageError({
        code: 'STORE_UNSUPPORTED',
        message:
          'the kubernetes store is read by the admission webhook from ModelAttestation objects; from the CLI use dir:PATH or oci://REGISTRY/REPOSITORY (and kubectl apply the object to file a bundle in a cluster)',
        details: { spec },
      });
    default:
      return opened satisfies never;
  }
}
