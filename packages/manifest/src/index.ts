export { DEFAULT_SHARD_SIZE, GIT_PATHS } from './config.ts';
export { diffManifests } from './diff.ts';
export { hashModel } from './hash-model.ts';
export { compareResourceNames, parseShardName, resourceFile, type ShardName } from './order.ts';
export { subjectDigest } from './subject.ts';
export { prestartWorkers } from './threads.ts';
export type { HashOptions, HashType, Manifest, ManifestDiff, Resource, Serialization } from './types.ts';
export { type HuggingFaceSnapshot, huggingFaceSnapshot } from './walk.ts';
