import type yargsFactory from 'yargs';

/** where `pnpm install` writes yargs as a single file (cli/scripts/bundle-yargs.ts) */
export const YARGS_BUNDLE = new URL('../node_modules/.cache/modelseal/yargs.mjs', import.meta.url);

export interface YargsModule {
  readonly yargs: typeof yargsFactory;
  readonly hideBin: (argv: string[]) => string[];
}

/**
 * yargs is 45 ES modules, ~14 ms of every start-up to load. The single-file build serves when it
 * was made from the yargs installed now; otherwise (never built, or yargs updated since) the
 * package itself does.
 */
export async function loadYargs(bundle: URL = YARGS_BUNDLE): Promise<YargsModule & { bundled: boolean }> {
  try {
    const b = await import(bundle.href);
    if (b.source === import.meta.resolve('yargs'))
      return { yargs: b.default, hideBin: b.hideBin, bundled: true };
  } catch {
    // not built: the package serves
  }
  const [y, h] = await Promise.all([import('yargs'), import('yargs/helpers')]);
  return { yargs: y.default, hideBin: h.hideBin, bundled: false };
}
