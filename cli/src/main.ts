import { isModelsealError, ModelsealError } from '@modelseal/core';
import { commandsFor } from './commands/index.ts';
import { EXIT_CODES } from './exit.ts';
import { hintFor } from './hints.ts';
import { err, outJson } from './io.ts';
import { loadYargs, YARGS_BUNDLE } from './yargs-bundle.ts';

// MODELSEAL_YARGS_BUNDLE=off loads the yargs package itself: to measure the bundle, or to rule it out.
const { yargs, hideBin } = await loadYargs(
  process.env.MODELSEAL_YARGS_BUNDLE === 'off' ? null : YARGS_BUNDLE,
);

/** The only place that turns errors into exit codes. */
export async function main(argv: string[] = hideBin(process.argv)): Promise<number> {
  const wantsJson = jsonRequested(argv);
  try {
    let cli = yargs(argv)
      .scriptName('modelseal')
      .usage(
        '$0 <command> [options]\n\nSign, attest and verify ML models and datasets with Sigstore bundles.',
      )
      .strict()
      .demandCommand(1, 'name a command; `modelseal --help` lists them')
      .recommendCommands()
      .epilogue('Exit codes: `modelseal exit-codes` prints the table (also in the README).')
      .fail((msg, e) => {
        // yargs' own parse errors (YError) are usage mistakes too, not crashes
        if (e && (isModelsealError(e) || e.name !== 'YError')) throw e;
        throw new ModelsealError('usage', { code: 'USAGE', message: msg ?? e?.message });
      })
      // the protocol the `completion` scripts use (--get-yargs-completions); its own command is ours
      .completion('__complete', false)
      .help()
      .alias('h', 'help')
      .version('0.1.0')
      // yargs renders (and caches) the full help after every command; wrapping it costs ~100 ms of
      // CPU, so only wrap when help will actually be shown.
      .wrap(wantsHelp(argv) ? Math.min(110, process.stdout.columns ?? 100) : null);
    for (const c of await commandsFor(argv)) cli = cli.command(c);
    skipHelpCache(cli);
    await cli.parseAsync();
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (e) {
    return reportError(e, wantsJson);
  }
}

/** An error as the user sees it (stderr, and stdout with --output json); returns its exit code. */
export function reportError(e: unknown, wantsJson: boolean): number {
  const error = isModelsealError(e)
    ? e
    : new ModelsealError('internal', { code: 'INTERNAL', message: (e as Error)?.stack ?? String(e) });
  const hint = hintFor(error);
  if (wantsJson) outJson({ ok: false, error: { ...error.toJSON(), ...(hint ? { hint } : {}) } });
  err(`error[${error.code}]: ${error.message}`);
  if (hint) err(`  hint: ${hint}`);
  return EXIT_CODES[error.kind];
}

function jsonRequested(argv: readonly string[]): boolean {
  const i = argv.findIndex((a) => a === '--output' || a === '-o');
  return argv.includes('--output=json') || (i >= 0 && argv[i + 1] === 'json');
}

/**
 * yargs renders a command's whole help as the command starts (~25 ms, `--cpu-prof`), to print it
 * if the command then fails; our `.fail()` never prints it, and `--help` renders afresh.
 */
function skipHelpCache(cli: object): void {
  const internals = (cli as { getInternalMethods?: () => { getUsageInstance?: () => unknown } })
    .getInternalMethods?.()
    ?.getUsageInstance?.() as { cacheHelpMessage?: unknown } | undefined;
  if (typeof internals?.cacheHelpMessage === 'function') internals.cacheHelpMessage = () => {};
}

function wantsHelp(argv: readonly string[]): boolean {
  return argv.includes('--help') || argv.includes('-h') || argv.length === 0;
}
