export { directoryStore } from './directory.ts';
export { type KubernetesStore, kubernetesStore, parseModelAttestation } from './kubernetes.ts';
export { bundleFileName, digestHex, predicateSlug } from './layout.ts';
export type {
  DirectoryStore,
  FoundBundles,
  Store,
  StoredBundle,
  StoreFailure,
  StoreLimits,
} from './types.ts';
