import { isBuiltin } from 'node:module';

/*
 * A bundle's imports of Node built-ins, rewritten to process.getBuiltinModule(). An ES import of a
 * built-in builds a namespace of all its exports, which runs every lazy getter: `node:fs` then
 * loads fs/promises (and with it readline, watchers, streams), `node:util` parseArgs and diff,
 * `node:crypto` webcrypto, ~4 ms of start-up in all (`process.moduleLoadList`). `lazy` modules are
 * not loaded until a function is called, or for assert's equality checks until one fails (yargs
 * imports `assert` for checks that pass: ~3 ms).
 */
const IMPORT = /^import\s+(?:(\*\s+as\s+[\w$]+|[\w$]+)\s*(?:,\s*)?)?(?:\{([^}]*)\})?\s*from\s*"([^"]+)";?$/gm;

/** when assert's checks pass (its strict equality is Object.is) */
const PASSES: Readonly<Record<string, string>> = {
  strictEqual: 'Object.is(a[0], a[1])',
  notStrictEqual: '!Object.is(a[0], a[1])',
};

export function builtinImports(code: string, lazy: ReadonlySet<string> = new Set()): string {
  return code.replace(IMPORT, (line, whole: string | undefined, named: string | undefined, from: string) => {
    if (!isBuiltin(from) || (whole === undefined && named === undefined)) return line;
    const mod = `process.getBuiltinModule(${JSON.stringify(from)})`;
    const out: string[] = [];
    if (whole) out.push(`const ${whole.replace(/^\*\s+as\s+/, '')} = ${mod};`);
    const pairs = (named ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean)
      .map((p) => {
        const [imported, local = imported] = p.split(/\s+as\s+/) as [string, string?];
        return { imported, local };
      });
    // `const process = process.getBuiltinModule(...)` would read itself before it is set
    if (whole?.endsWith('process') || pairs.some((p) => p.local === 'process')) return line;
    if (pairs.length === 0) return out.join('\n');
    if (lazy.has(from.replace(/^node:/, ''))) {
      for (const { imported, local } of pairs) {
        // a passing check answers here; a failing one gets the real function, and its error
        const passes = PASSES[imported];
        const call = `${mod}.${imported}(...a)`;
        out.push(`const ${local} = (...a) => ${passes ? `(${passes} ? undefined : ${call})` : call};`);
      }
    } else {
      out.push(
        `const { ${pairs.map(({ imported, local }) => (imported === local ? imported : `${imported}: ${local}`)).join(', ')} } = ${mod};`,
      );
    }
    return out.join('\n');
  });
}
