import { resolveConfig } from './config.ts';
import { compareResourceNames } from './order.ts';
import { planTasks } from './plan.ts';
import { hashTask } from './read.ts';
import type { HashOptions, Manifest, Resource } from './types.ts';
import { walkModel } from './walk.ts';

const CHUNK = 1 << 20;

/** Walks and hashes a model directory (or single file) into its OMS manifest, model_signing 1.1 compatible. */
export async function hashModel(path: string, options: HashOptions): Promise<Manifest> {
  const cfg = resolveConfig(path, options);
  const walked = walkModel(path, { ignore: cfg.ignore, allowSymlinks: cfg.serialization.allowSymlinks });
  const plan = planTasks(cfg, walked.files);
  const buf = new Uint8Array(CHUNK);
  const resources: Resource[] = [];
  let done = 0;
  const total = plan.totalBytes ?? 0;
  for (const task of plan.tasks) {
    options.signal?.throwIfAborted();
    const r = hashTask(task, cfg.serialization.hashType, buf);
    done += r.size;
    options.onProgress?.(done, Math.max(total, done));
    resources.push({ name: task.name, algorithm: plan.algorithm, digest: r.digest });
  }
  const method = cfg.serialization.method;
  resources.sort((a, b) => compareResourceNames(a.name, b.name, method));
  return Object.freeze({
    modelName: cfg.modelName,
    serialization: cfg.serialization,
    resources: Object.freeze(resources),
  });
}
