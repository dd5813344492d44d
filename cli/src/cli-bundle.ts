// not `import ... from 'node:fs'`: an ES import of a built-in runs its lazy getters, and fs's loads
// fs/promises with readline and streams (~1.5 ms, before anything else could use them)
const { readFileSync, statSync } = process.getBuiltinModule('node:fs');

/*
 * The CLI as a few files (cli/scripts/bundle-cli.ts, run by `pnpm install`): resolving and linking
 * its ~60 ES modules was ~12 ms of every command's start-up (`pnpm bench startup`). The bundle
 * serves only while every source file the command can load is the size with the mtime it was
 * made from: after an edit or a checkout the sources serve, as they would without a bundle.
 * Loaded before the CLI itself, so Node built-ins only.
 */

/** where `pnpm install` writes the bundle, and beside it the list of what it was made from */
export const CLI_BUNDLE_DIR = new URL('../node_modules/.cache/modelseal/cli/', import.meta.url);
export const CLI_BUNDLE_MAIN = new URL('main.mjs', CLI_BUNDLE_DIR);
export const CLI_BUNDLE_INPUTS = new URL('inputs.json', CLI_BUNDLE_DIR);

/** one file the bundle was made from: [absolute path, size, mtime in ms] */
export type BundleInput = readonly [path: string, size: number, mtimeMs: number];

/** inputs.json: the files, and which of them (indices) each command's run can load */
export interface BundleInputs {
  readonly files: readonly BundleInput[];
  readonly all: readonly number[];
  readonly commands: Readonly<Record<string, readonly number[]>>;
}

/** what loaded the CLI in this process, for `digest --stats` (bin.ts and the bundle are separate module graphs) */
export const LOADED_FROM = Symbol.for('modelseal.cli.loadedFrom');

/**
 * The bundle's entry, if the files `command` can load are the ones it was made from (all files
 * for a word that names no command); else undefined.
 */
export function freshBundle(
  command: string | undefined,
  inputs: URL = CLI_BUNDLE_INPUTS,
  main: URL = CLI_BUNDLE_MAIN,
): URL | undefined {
  let made: BundleInputs;
  try {
    made = JSON.parse(readFileSync(inputs, 'utf8'));
  } catch {
    return undefined; // never built (or being rebuilt)
  }
  const files = made?.files;
  const commands = made?.commands;
  if (!Array.isArray(files) || typeof commands !== 'object' || commands === null) return undefined;
  const own = command !== undefined && Object.hasOwn(commands, command) ? commands[command] : made.all;
  if (!Array.isArray(own) || own.length === 0) return undefined;
  for (const i of own) {
    const entry = files[i];
    if (!Array.isArray(entry) || typeof entry[0] !== 'string') return undefined;
    const st = statSync(entry[0], { throwIfNoEntry: false });
    if (!st || st.size !== entry[1] || st.mtimeMs !== entry[2]) return undefined;
  }
  return statSync(main, { throwIfNoEntry: false })?.isFile() ? main : undefined;
}
