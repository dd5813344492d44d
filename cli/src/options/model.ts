import { statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { NotFoundError } from '@modelseal/core';

export interface ModelLocation {
  readonly model: string;
  readonly isDirectory: boolean;
  readonly bundle: string;
}

/**
 * model_signing's default bundle is `model.sig` inside a model directory; for a single file we
 * put `<file>.sig` beside it, so two models in one folder never share a bundle.
 */
export function locateModel(path: string, bundle: string | undefined): ModelLocation {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch {
    // the code and kind the hashing walker uses for the same condition
    throw new NotFoundError({
      code: 'MODEL_NOT_FOUND',
      message: `model path ${path} does not exist`,
      details: { path },
    });
  }
  const abs = resolve(path);
  const fallback = isDirectory ? join(abs, 'model.sig') : join(dirname(abs), `${basename(abs)}.sig`);
  return { model: path, isDirectory, bundle: bundle === undefined ? fallback : resolve(bundle) };
}
