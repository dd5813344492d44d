export { DEFAULT_SHARD_SIZE, GIT_PATHS } from './config.ts';
export { hashModel } from './hash-model.ts';
export { prestartWorkers } from './threads.ts';
export { walkModel } from './walk.ts';
