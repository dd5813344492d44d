export { type CachedStoreOptions, cachedStore } from './cached.ts';
export { combinedStores } from './combined.ts';
export { directoryStore } from './directory.ts';
export {
  K8S_NAME_RE,
  K8S_NAMESPACE_RE,
  type KubernetesStore,
  kubernetesStore,
  modelAttestationResource,
  parseModelAttestation,
} from './kubernetes.ts';
export { bundleFileName, digestHex, predicateSlug } from './layout.ts';
export { type OpenedStore, type OpenStoreOptions, openStore } from './open.ts';
export { DEFAULT_STORE_PATH, formatStoreSpec, parseStoreSpec, type StoreSpec } from './spec.ts';
export { storeSubjects } from './subjects.ts';
export type {
  DirectoryStore,
  FoundBundles,
  Store,
  StoredBundle,
  StoreFailure,
  StoreLimits,
} from './types.ts';
