/**
 * model_signing's command line, accepted as it is written: `sign key|certificate|sigstore|pkcs11-key
 * MODEL …` and `verify key|certificate|sigstore MODEL …`. The method word is optional (without it the
 * flags decide, as before); with it, the flags must fit the method, and `--signature` follows
 * model_signing's default (`model.sig` in the current directory).
 */
import { existsSync, realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { UsageError } from '@modelseal/core';
import type { Argv } from 'yargs';

export const SIGN_METHODS = ['key', 'certificate', 'sigstore', 'pkcs11-key'] as const;
export const VERIFY_METHODS = ['key', 'certificate', 'sigstore'] as const;
export type SignMethod = (typeof SIGN_METHODS)[number];
export type VerifyMethod = (typeof VERIFY_METHODS)[number];

export interface MethodArgs {
  path: string;
  /** the model, when the first word was a method */
  model?: string;
}

/** The second positional; the usage line shows the method word in front. */
export const withMethodPositionals = <T>(y: Argv<T>, methods: readonly string[]): Argv<T & MethodArgs> =>
  y
    .positional('path', {
      type: 'string',
      demandOption: true,
      describe: `model directory or file, or an OCI reference (see docs/oci.md); may follow a model_signing method word (${methods.join(', ')})`,
    })
    .positional('model', {
      type: 'string',
      describe: 'the model, when the first word is a method',
    }) as Argv<T & MethodArgs>;

/**
 * Which words were the method and the model. A method word alone is the model path only if
 * something by that name exists (a directory called `key`); otherwise the model is missing.
 */
export function splitMethod<M extends string>(
  argv: MethodArgs,
  methods: readonly M[],
): { method: M | undefined; path: string } {
  const isMethod = (w: string): w is M => (methods as readonly string[]).includes(w);
  if (argv.model !== undefined) {
    if (isMethod(argv.path)) return { method: argv.path, path: argv.model };
    throw new UsageError({
      code: 'METHOD_UNKNOWN',
      message: `"${argv.path}" is not a method (${methods.join(', ')}) and "${argv.model}" is a second model path: give one model; a flag with several values is repeated once per value`,
      details: { word: argv.path, methods: [...methods] },
    });
  }
  if (isMethod(argv.path) && !existsSync(argv.path)) {
    throw new UsageError({
      code: 'MODEL_PATH_MISSING',
      message: `name the model after the method: ${argv.path} <model path>`,
      details: { method: argv.path },
    });
  }
  return { method: undefined, path: argv.path };
}

/** A flag the method does not take, or one it needs and lacks. */
export function methodFlagError(method: string, problem: string): UsageError {
  return new UsageError({
    code: 'METHOD_FLAG_MISMATCH',
    message: `method ${method}: ${problem}`,
    details: { method },
  });
}

/**
 * model_signing resolves `--ignore-paths` against the current directory and keeps those inside
 * the model, as paths relative to it (`_resolve_ignore_paths`). One step more here: a relative path
 * that lands outside the model but names something inside it (`--ignore-paths ignore-me` for a model
 * elsewhere, modelseal's older reading) is taken relative to the model; what fits neither reading
 * is dropped, as model_signing drops it, and reported through `warn`.
 */
export function resolveIgnorePaths(
  model: string,
  paths: readonly string[],
  warn: (message: string) => void,
): string[] {
  const root = resolve(model);
  const roots = [...new Set([root, realOr(root)])];
  const inside = (abs: string) =>
    roots
      .flatMap((r) => [relative(r, abs), relative(r, realOr(abs))])
      .find((r) => r !== '' && !isAbsolute(r) && r !== '..' && !r.startsWith(`..${sep}`));
  const kept: string[] = [];
  for (const p of paths) {
    const fromModel = isAbsolute(p) ? undefined : resolve(root, p);
    const rel =
      inside(resolve(p)) ??
      (fromModel !== undefined && existsSync(fromModel) ? inside(fromModel) : undefined);
    if (rel === undefined) {
      warn(`ignore path ${p} is not inside the model ${model}: not applied`);
      continue;
    }
    kept.push(rel.split(sep).join('/'));
  }
  return kept;
}

function realOr(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

export interface ModelSigningExtraArgs {
  'use-staging'?: boolean;
  password?: string;
  'use-ambient-credentials'?: boolean;
}

/** model_signing flags with no modelseal meaning of their own: accepted, and refused or ignored with a reason. */
export const withModelSigningExtras = <T>(y: Argv<T>): Argv<T & ModelSigningExtraArgs> =>
  y
    .option('use-staging', {
      alias: ['use_staging'],
      type: 'boolean',
      hidden: true,
      describe: "model_signing's Sigstore staging switch (give staging's --trusted-root/--signing-config)",
    })
    .option('password', {
      type: 'string',
      hidden: true,
      describe: 'refused: passphrases come from MODELSEAL_KEY_PASSPHRASE or a prompt',
    })
    .option('use-ambient-credentials', {
      alias: ['use_ambient_credentials'],
      type: 'boolean',
      hidden: true,
      describe: 'accepted: ambient credentials (SIGSTORE_ID_TOKEN, GitHub Actions OIDC) are always used',
    }) as Argv<T & ModelSigningExtraArgs>;

export function checkModelSigningExtras(argv: ModelSigningExtraArgs): void {
  if (argv.password !== undefined) {
    throw new UsageError({
      code: 'PASSWORD_FLAG_REFUSED',
      message: 'a passphrase is never taken from the command line, where other users and logs can read it',
    });
  }
  if (argv['use-staging']) {
    throw new UsageError({
      code: 'STAGING_UNSUPPORTED',
      message: 'there is no built-in Sigstore staging instance; name its trust material instead',
    });
  }
}
