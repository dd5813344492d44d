/**
 * Writes yargs (45 ES modules) as one file, which loads ~14 ms faster: most of a small command's
 * time is start-up (bench: `pnpm bench hashing`). Run by `pnpm install` (the `prepare` script);
 * `src/yargs-bundle.ts` uses the file only when it was built from the yargs installed now.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { YARGS_BUNDLE } from '../src/yargs-bundle.ts';
import { builtinImports } from './builtin-imports.ts';

const source = import.meta.resolve('yargs');
const out = fileURLToPath(YARGS_BUNDLE);
mkdirSync(dirname(out), { recursive: true });
const entry = `${out}.entry.mjs`;
const tmp = `${out}.tmp`;
writeFileSync(
  entry,
  `export { default } from ${JSON.stringify(source)};\n` +
    `export { hideBin } from ${JSON.stringify(import.meta.resolve('yargs/helpers'))};\n` +
    `export const source = ${JSON.stringify(source)};\n`,
);
try {
  await bundle();
  process.stderr.write(`bundle-yargs: wrote ${out}\n`);
} catch (e) {
  // An optimization only: without the file the CLI loads the yargs package, so install goes on.
  process.stderr.write(
    `bundle-yargs: skipped (${(e as Error)?.message ?? String(e)}); yargs loads unbundled\n`,
  );
} finally {
  rmSync(entry, { force: true });
  rmSync(tmp, { force: true });
}

async function bundle(): Promise<void> {
  // imported here: a bundler that cannot load (say, no native build for this machine) skips the step
  const { build } = await import('rolldown');
  await build({
    input: entry,
    platform: 'node',
    logLevel: 'warn',
    // yargs finds its locale files (and package.json files) from `import.meta.url`: each module
    // keeps its own, so the single file finds what the installed yargs would.
    plugins: [
      {
        name: 'builtins-without-namespaces',
        renderChunk: (code) => builtinImports(code, new Set(['assert'])),
      },
      {
        name: 'keep-import-meta-url',
        transform(code, id) {
          if (!code.includes('import.meta.url')) return null;
          return code.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(id).href));
        },
      },
    ],
    output: { file: tmp, format: 'esm', codeSplitting: false },
  });
  // a reader never sees a half-written file
  renameSync(tmp, out);
}
