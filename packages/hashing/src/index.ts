export { GIT_PATHS } from '@modelseal/manifest';
export { DEFAULT_SHARD_SIZE, type HashOptions } from './config.ts';
export { hashModel } from './hash-model.ts';
export {
  hashModelIncremental,
  type IncrementalOptions,
  type IncrementalResult,
} from './incremental.ts';
export { hashingEngine } from './native.ts';
export { prestartWorkers } from './threads.ts';
export {
  type HuggingFaceSnapshot,
  huggingFaceSnapshot,
  type WalkedFile,
  type WalkOptions,
  type WalkResult,
  walkModel,
} from './walk.ts';
