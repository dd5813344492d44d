import { UsageError } from '@modelseal/core';
import type { DirectoryStore } from '@modelseal/store';

/**
 * `--store SPEC` for the CLI, through openStore. Only directory stores work from a command line:
 * the Kubernetes index is fed by the webhook's informer, which the CLI never loads.
 */
export async function cliStore(spec: string): Promise<DirectoryStore> {
  const { openStore } = await import('@modelseal/store');
  const opened = openStore(spec);
  switch (opened.kind) {
    case 'dir':
      return opened.store;
    case 'kubernetes':
      throw new UsageError({
        code: 'STORE_UNSUPPORTED',
        message:
          'the kubernetes store is read by the admission webhook from ModelAttestation objects; from the CLI use dir:PATH (and kubectl apply the object to file a bundle in a cluster)',
        details: { spec },
      });
    default:
      return opened satisfies never;
  }
}
