import type { OciStore, OciStoreOptions, RegistryClientOptions } from '@modelseal/oci';
import type { StoreLimits } from './types.ts';

/**
 * `oci://registry/repository`: bundles as referrers of the model manifest, in cosign v3's layout.
 * The registry client is loaded on first use, so commands that never touch a registry (and the
 * directory store) do not pay for loading it.
 */
export function lazyOciStore(
  repo: { readonly registry: string; readonly repository: string },
  registry: RegistryClientOptions = {},
  limits: StoreLimits & Pick<OciStoreOptions, 'now'> = {},
): OciStore {
  let loaded: Promise<OciStore> | undefined;
  const load = () => {
    loaded ??= import('@modelseal/oci').then((m) => m.ociStore(m.registryClient(registry), repo, limits));
    return loaded;
  };
  return Object.freeze({
    location: `oci://${repo.registry}/${repo.repository}`,
    find: async (subject: string, predicateType?: string) => (await load()).find(subject, predicateType),
    put: async (subject: string, predicateType: string, bundle: Uint8Array) =>
      (await load()).put(subject, predicateType, bundle),
  });
}
