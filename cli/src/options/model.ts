import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { NotFoundError } from '@modelseal/core';

export interface ModelLocation {
  readonly model: string;
  readonly isDirectory: boolean;
  readonly bundle: string;
  /** where the bundle goes when none is named: never hashed by any command, like `bundle` */
  readonly defaultBundle: string;
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
  return {
    model: path,
    isDirectory,
    bundle: bundle === undefined ? fallback : resolve(bundle),
    defaultBundle: fallback,
  };
}

/**
 * The bundle files every command leaves out of the hash (sign, verify, digest, attest,
 * verify-attestation): the default one and the one named. `signed` (the resource files a
 * signature lists) keeps a file that really was signed, e.g. a `model.sig` that model_signing
 * hashed because its own signature went elsewhere.
 */
export function bundlesToSkip(
  loc: Pick<ModelLocation, 'model' | 'bundle' | 'defaultBundle'>,
  signed?: ReadonlySet<string>,
): string[] {
  const all = loc.bundle === loc.defaultBundle ? [loc.bundle] : [loc.bundle, loc.defaultBundle];
  if (!signed) return all;
  const root = resolve(loc.model);
  return all.filter((p) => !signed.has(relative(root, p)));
}

/** The default bundle when it lies inside the model and exists: what `digest` reports skipping. */
export function presentDefaultBundle(loc: ModelLocation): string | undefined {
  return loc.isDirectory && existsSync(loc.defaultBundle) ? loc.defaultBundle : undefined;
}
