import type yargsFactory from 'yargs';

/** where `pnpm install` writes yargs as a single file (cli/scripts/bundle-yargs.ts) */
export const YARGS_BUNDLE = new URL('../node_modules/.cache/modelseal/yargs.mjs', import.meta.url);

export interface YargsModule {
  readonly yargs: typeof yargsFactory;
  readonly hideBin: (argv: string[]) => string[];
}

/**
 * yargs is 45 ES modules, ~12 ms of every start-up to load (`pnpm bench startup`). The single-file
 * build serves when it was made from the yargs installed now; otherwise (never built, yargs updated
 * since, or `bundle` null) the package itself does.
 */
export async function loadYargs(
  bundle: URL | null = YARGS_BUNDLE,
): Promise<YargsModule & { bundled: boolean }> {
  if (bundle) {
    try {
      const b = await import(bundle.href);
      if (b.source === import.meta.resolve('yargs'))
        return { yargs: b.default, hideBin: b.hideBin, bundled: true };
    } catch {
      // not built: the package serves
    }
  }
  const [y, h] = await Promise.all([import('yargs'), import('yargs/helpers')]);
  return { yargs: y.default, hideBin: h.hideBin, bundled: false };
}
