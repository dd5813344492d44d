export { diffManifests } from './diff.ts';
export {
  compareCodePoints,
  comparePaths,
  compareResourceNames,
  parseShardName,
  resourceFile,
  type ShardName,
  shardName,
  sortByResourceName,
} from './order.ts';
export { createManifest, subjectDigestOf } from './subject.ts';
export type {
  HashType,
  Manifest,
  ManifestDiff,
  ManifestFields,
  Resource,
  Serialization,
} from './types.ts';
export { GIT_PATHS } from './types.ts';
