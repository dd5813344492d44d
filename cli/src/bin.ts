#!/usr/bin/env -S node --min-semi-space-size=32
import { enableCompileCache } from 'node:module';

// Caches compiled (and type-stripped) modules across runs: start-up is most of a small command's
// cost. Enabled before the CLI is imported, which is why that import is dynamic.
enableCompileCache();
const HASHING_COMMANDS = new Set(['digest', 'sign', 'verify']);
// A reader that stops early (`| head`) closes the pipe: that is the reader's choice, not a failure.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
  process.exit(process.exitCode === undefined ? 0 : Number(process.exitCode));
});
// These commands hash a model directory: their hashing threads start now, so the threads' own
// start-up overlaps loading the CLI instead of following it. Unused threads cost nothing at exit.
const [command, ...rest] = process.argv.slice(2);
if (HASHING_COMMANDS.has(command ?? '') && !rest.some((a) => a === '--help' || a === '-h')) {
  const threads = await import('@modelseal/hashing/threads');
  if (process.env.MODELSEAL_NATIVE_HASHING === 'off') threads.disableNativeHashing();
  // verify learns the hash from the bundle: a BLAKE3 model then starts its threads a little later
  threads.prestartWorkers(undefined, { blake3: rest.some((a) => a.includes('blake3')) });
}
// MODELSEAL_CLI_BUNDLE=off loads the sources even when the bundle is fresh: to measure it, or rule it out
const { freshBundle, LOADED_FROM } = await import('./cli-bundle.ts');
const bundle = process.env.MODELSEAL_CLI_BUNDLE === 'off' ? undefined : freshBundle(command);
const { main } = await loadMain(bundle);
process.exitCode = await main();
// Every command has finished its work here. Exiting now skips tearing down the heap and any hashing
// threads, which after a large run costs 10-20 ms; the streams are flushed first.
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit();

/** An empty write's callback runs once everything written before it has reached the OS. */
function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => stream.write('', () => resolve()));
}

/** The bundle's main when it is fresh and loads (`pnpm install` may be replacing it right now), else the sources'. */
async function loadMain(bundle: URL | undefined): Promise<typeof import('./main.ts')> {
  const note = (from: string) => ((globalThis as Record<symbol, unknown>)[LOADED_FROM] = from);
  if (bundle) {
    try {
      const m = (await import(bundle.href)) as typeof import('./main.ts');
      note('bundle');
      return m;
    } catch {
      // the sources serve
    }
  }
  note('sources');
  return import('./main.ts');
}
