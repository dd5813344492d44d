import type { OciStore, RegistryClientOptions } from '@modelseal/oci';
import { directoryStore } from './directory.ts';
import { type KubernetesStore, kubernetesStore } from './kubernetes.ts';
import { lazyOciStore } from './oci.ts';
import { parseStoreSpec, type StoreSpec } from './spec.ts';
import type { DirectoryStore, StoreLimits } from './types.ts';

/** What openStore returns: narrow on `kind` to reach what only one store can do (put, upsert). */
export type OpenedStore =
  | { readonly kind: 'dir'; readonly spec: StoreSpec; readonly store: DirectoryStore }
  | { readonly kind: 'kubernetes'; readonly spec: StoreSpec; readonly store: KubernetesStore }
  | { readonly kind: 'oci'; readonly spec: StoreSpec; readonly store: OciStore };

export interface OpenStoreOptions {
  readonly limits?: StoreLimits;
  /** for `oci://`: credentials, CA, loopback plain HTTP, timeouts (gathered at the edge) */
  readonly registry?: RegistryClientOptions;
}

/**
 * The one way to get a store from a spec. `kubernetes` returns the in-memory index of
 * ModelAttestation objects; the caller (the webhook) feeds it from its own informer, so this
 * package never loads a Kubernetes client. `oci://registry/repository` keeps bundles in the
 * registry as referrers of the model manifest (loaded on first use).
 */
export function openStore<K extends StoreSpec['kind']>(
  spec: Extract<StoreSpec, { kind: K }>,
  options?: OpenStoreOptions,
): Extract<OpenedStore, { kind: K }>;
export function openStore(spec: string | StoreSpec, options?: OpenStoreOptions): OpenedStore;
export function openStore(spec: string | StoreSpec, options: OpenStoreOptions = {}): OpenedStore {
  const parsed = typeof spec === 'string' ? parseStoreSpec(spec) : spec;
  switch (parsed.kind) {
    case 'dir':
      return { kind: 'dir', spec: parsed, store: directoryStore(parsed.path, options.limits) };
    case 'kubernetes':
      return { kind: 'kubernetes', spec: parsed, store: kubernetesStore() };
    case 'oci':
      return {
        kind: 'oci',
        spec: parsed,
        store: lazyOciStore(parsed, options.registry, options.limits),
      };
    default:
      return parsed satisfies never;
  }
}
