/**
 * `pnpm bench [name...]`: runs every bench/<name>.bench.ts in turn, or only the named ones.
 * A benchmark module exports `run(args: string[]): Promise<void>` and prints its own figures.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { freshBundle } from '../cli/src/cli-bundle.ts';

const dir = fileURLToPath(new URL('.', import.meta.url));
const available = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.slice(0, -'.bench.ts'.length))
  .sort();
const args = process.argv.slice(2);
const names = args.filter((a) => !a.startsWith('-'));
const flags = args.filter((a) => a.startsWith('-'));
const unknown = names.filter((n) => !available.includes(n));
if (unknown.length > 0) {
  process.stderr.write(`unknown benchmark(s): ${unknown.join(', ')}; available: ${available.join(', ')}\n`);
  process.exit(2);
}
// The CLI runs as users run it after `pnpm install`: from its bundle, made again here if a source
// changed since (cli/src/cli-bundle.ts serves the sources from a stale one, ~10 ms slower to start).
if (!freshBundle(undefined))
  spawnSync(process.execPath, [fileURLToPath(new URL('../cli/scripts/bundle-cli.ts', import.meta.url))], {
    stdio: 'inherit',
  });
let failed = false;
for (const name of names.length > 0 ? names : available) {
  process.stdout.write(`\n=== bench: ${name} ===\n`);
  try {
    const mod = (await import(pathToFileURL(`${dir}/${name}.bench.ts`).href)) as {
      run?: (a: string[]) => Promise<void>;
    };
    if (typeof mod.run !== 'function') throw new Error(`bench/${name}.bench.ts does not export run(args)`);
    await mod.run(flags);
  } catch (e) {
    failed = true;
    process.stderr.write(`bench ${name} failed: ${(e as Error)?.stack ?? String(e)}\n`);
  }
}
process.exitCode = failed ? 1 : 0;
