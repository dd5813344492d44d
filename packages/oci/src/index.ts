export {
  basicHeader,
  type Challenge,
  type Credential,
  type CredentialResolver,
  parseChallenges,
} from './auth.ts';
export { artifactBinding, type StatementBinding } from './binding.ts';
export { type BundlePeek, peekBundle } from './bundle-peek.ts';
export {
  type FetchedManifest,
  type RegistryClient,
  type RegistryClientOptions,
  type Repository,
  registryClient,
} from './client.ts';
export {
  authFilePaths,
  type DockerCredentialsOptions,
  dockerCredentials,
  runHelper,
} from './credentials.ts';
export {
  type AuthConfig,
  type CredentialSource,
  credentialSource,
  helperServerUrl,
  normalizeAuthKey,
  parseAuthConfig,
} from './docker-config.ts';
export {
  type Descriptor,
  EMPTY_CONFIG,
  MANIFEST_ACCEPT,
  type ManifestDocument,
  MEDIA,
  parseManifest,
} from './documents.ts';
export {
  type ArtifactFile,
  type ArtifactManifest,
  FILEPATH_ANNOTATIONS,
  type LayerKind,
  layerKind,
  omsFromArtifact,
} from './modelpack.ts';
export {
  DOCKER_HUB,
  DOCKER_HUB_API,
  DOCKER_HUB_AUTH_KEY,
  formatReference,
  isLoopbackRegistry,
  parseDigest,
  parseReference,
  type Reference,
  referrersTag,
  registryApiHost,
} from './reference.ts';
export {
  ANNOTATION_CONTENT,
  ANNOTATION_PREDICATE,
  type OciFoundBundles,
  type OciStore,
  type OciStoredBundle,
  type OciStoreFailure,
  type OciStoreOptions,
  ociStore,
  parseOciStoreSpec,
} from './store.ts';
export { ociSubjects } from './subjects.ts';
