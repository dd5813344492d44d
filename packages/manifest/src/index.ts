export { diffManifests } from './diff.ts';
export {
  comparePaths,
  compareResourceNames,
  parseShardName,
  resourceFile,
  type ShardName,
  shardName,
  sortByResourceName,
} from './order.ts';
export { rememberSubject, subjectDigest } from './subject.ts';
export type { HashOptions, HashType, Manifest, ManifestDiff, Resource, Serialization } from './types.ts';
