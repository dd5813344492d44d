/**
 * Writes the CLI (cli/src/main.ts and the workspace packages it imports, ~60 modules for a digest)
 * as a few files, which start ~12 ms faster (`pnpm bench startup`). Run by `pnpm install` (the
 * `prepare` script) and by `pnpm bench`; `src/cli-bundle.ts` uses it only while every file it was
 * made from is unchanged. What stays outside, imported from where it is installed:
 * - npm packages (by absolute URL: pnpm keeps each package's dependencies beside it, not beside us);
 * - the modules bin.ts loads before the CLI (hashing threads and the addon loader), so that both
 *   share one instance of each;
 * - the hashing worker and the addon, which Node loads by path at run time.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type BundleInputs, CLI_BUNDLE_DIR } from '../src/cli-bundle.ts';
import { builtinImports } from './builtin-imports.ts';

const SHARED_WITH_BIN = /\/packages\/hashing\/src\/(threads|native-load|worker-protocol)\.ts$/;
const entry = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const out = fileURLToPath(CLI_BUNDLE_DIR);
const tmp = `${out.replace(/\/$/, '')}.tmp-${process.pid}`;
const old = `${out.replace(/\/$/, '')}.old-${process.pid}`;

try {
  const started = Date.now();
  const inputs = await bundle(tmp);
  // a file edited while the build ran may be in the bundle as it was before: publish nothing then
  const edited = inputs.files.find((i) => i[2] >= started);
  if (edited) throw new Error(`${edited[0]} changed during the build`);
  writeFileSync(`${tmp}/inputs.json`, JSON.stringify(inputs));
  // a reader sees the old bundle or the new one, or (for a moment) none: never half of one
  mkdirSync(dirname(out), { recursive: true });
  rmSync(old, { recursive: true, force: true });
  try {
    renameSync(out, old);
  } catch {
    // there was none
  }
  renameSync(tmp, out);
  rmSync(old, { recursive: true, force: true });
  process.stderr.write(`bundle-cli: wrote ${out} (${inputs.files.length} source files)\n`);
} catch (e) {
  // An optimization only: without it the CLI loads its sources, so install goes on.
  process.stderr.write(
    `bundle-cli: skipped (${(e as Error)?.message ?? String(e)}); the CLI loads its sources\n`,
  );
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

async function bundle(dir: string): Promise<BundleInputs> {
  // imported here: a bundler that cannot load (say, no native build for this machine) skips the step
  const { build } = await import('rolldown');
  const result = await build({
    input: { main: entry },
    platform: 'node',
    logLevel: 'warn',
    plugins: [
      { name: 'builtins-without-namespaces', renderChunk: (code) => builtinImports(code) },
      {
        name: 'modelseal-externals',
        async resolveId(source, importer, options) {
          if (!importer || source.startsWith('node:')) return null;
          const r = await this.resolve(source, importer, { ...options, skipSelf: true });
          if (!r || r.external) return null;
          if (!r.id.includes('/node_modules/') && !SHARED_WITH_BIN.test(r.id)) return null;
          return { id: pathToFileURL(r.id).href, external: true };
        },
      },
      {
        // `new URL(x, import.meta.url)` and createRequire(import.meta.url) find what they would from the source file
        name: 'keep-import-meta-url',
        transform(code, id) {
          if (!code.includes('import.meta.url')) return null;
          return code.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(id).href));
        },
      },
    ],
    // .mjs: inside node_modules no package.json says "type": "module", and format detection costs ~3 ms
    output: {
      dir,
      format: 'esm',
      codeSplitting: true,
      entryFileNames: '[name].mjs',
      chunkFileNames: '[name]-[hash].mjs',
    },
  });
  return inputsOf(result.output.filter((c) => c.type === 'chunk'));
}

interface Chunk {
  readonly fileName: string;
  readonly isEntry: boolean;
  readonly facadeModuleId: string | null;
  readonly moduleIds: readonly string[];
  readonly imports: readonly string[];
  readonly dynamicImports: readonly string[];
}

/**
 * The files each command's run can load: bin.ts checks only those (~60 for `digest`, where
 * statting all ~270 cost 2-3 ms of every start-up). Packages from node_modules are not checked:
 * they change only with `pnpm install`, which rebuilds the bundle.
 */
function inputsOf(chunks: readonly Chunk[]): BundleInputs {
  const byName = new Map(chunks.map((c) => [c.fileName, c]));
  const words = commandFiles();
  const facadeOf = new Map<string, string>(); // chunk file -> the command word it serves
  for (const c of chunks) {
    const word = c.facadeModuleId ? words.get(c.facadeModuleId) : undefined;
    if (word) facadeOf.set(c.fileName, word);
  }
  const files: string[] = [];
  const indexOf = new Map<string, number>();
  const index = (f: string) => {
    const known = indexOf.get(f);
    if (known !== undefined) return known;
    indexOf.set(f, files.length);
    return files.push(f) - 1;
  };
  const reach = (word: string | undefined): number[] => {
    const seen = new Set<string>();
    const main = chunks.find((c) => c.isEntry);
    if (!main) throw new Error('the build has no entry chunk');
    const todo = [main.fileName];
    while (todo.length > 0) {
      const name = todo.pop()!;
      if (seen.has(name)) continue;
      const c = byName.get(name);
      if (!c) continue; // an external
      // another command's chunk is not loaded by this command (undefined word: all are)
      const serves = facadeOf.get(name);
      if (word !== undefined && serves !== undefined && serves !== word) continue;
      seen.add(name);
      todo.push(...c.imports, ...c.dynamicImports);
    }
    const ids = [...seen].flatMap((n) => byName.get(n)!.moduleIds.filter((id) => id.startsWith('/')));
    return [...new Set(ids.map(index))].sort((a, b) => a - b);
  };
  const all = reach(undefined);
  const commands: Record<string, number[]> = {};
  for (const word of new Set(words.values())) commands[word] = reach(word);
  return {
    files: files.map((f) => {
      const st = statSync(f);
      return [f, st.size, st.mtimeMs] as const;
    }),
    all,
    commands,
  };
}

/** command word by the file it is loaded from, read from cli/src/commands/index.ts */
function commandFiles(): Map<string, string> {
  const index = fileURLToPath(new URL('../src/commands/index.ts', import.meta.url));
  const words = new Map<string, string>();
  const loader = /^\s*'?([a-z-]+)'?: async \(\) => \(await import\('\.\/([a-z-]+\.ts)'\)\)/gm;
  for (const m of readFileSync(index, 'utf8').matchAll(loader)) {
    words.set(fileURLToPath(new URL(`../src/commands/${m[2]}`, import.meta.url)), m[1]!);
  }
  if (words.size === 0) throw new Error(`no command loaders found in ${index}`);
  return words;
}
