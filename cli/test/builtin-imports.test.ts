import { AssertionError } from 'node:assert';
import { describe, expect, it } from 'vitest';
import { builtinImports } from '../scripts/builtin-imports.ts';

describe("the bundles' imports of Node built-ins become getBuiltinModule() calls", () => {
  it('named, renamed, default and namespace imports', () => {
    const out = builtinImports(
      [
        'import { readFileSync, statSync as st } from "node:fs";',
        'import path from "path";',
        'import * as os from "node:os";',
        'import util, { format } from "node:util";',
      ].join('\n'),
    );
    expect(out.split('\n')).toEqual([
      'const { readFileSync, statSync: st } = process.getBuiltinModule("node:fs");',
      'const path = process.getBuiltinModule("path");',
      'const os = process.getBuiltinModule("node:os");',
      'const util = process.getBuiltinModule("node:util");',
      'const { format } = process.getBuiltinModule("node:util");',
    ]);
  });

  it('leaves packages, side-effect imports and a local named process alone', () => {
    const lines = [
      'import { parse } from "yaml";',
      'import { x } from "./chunk-1.mjs";',
      'import "node:fs";',
      'import process from "node:process";',
      'import { env as process } from "node:process";',
    ];
    expect(builtinImports(lines.join('\n'))).toBe(lines.join('\n'));
  });

  it("lazy assert: a passing check answers without loading assert; a failing one throws assert's own error", () => {
    const code = builtinImports(
      'import { strictEqual, notStrictEqual as nse } from "assert";',
      new Set(['assert']),
    );
    const { strictEqual, nse } = new Function(`${code}\nreturn { strictEqual, nse };`)() as Record<
      string,
      (...a: unknown[]) => void
    >;
    expect(strictEqual!(1, 1)).toBeUndefined();
    expect(strictEqual!(Number.NaN, Number.NaN)).toBeUndefined(); // Object.is, as assert has it
    expect(() => strictEqual!(0, -0, 'zeroes')).toThrow(AssertionError);
    expect(() => strictEqual!(1, 2, 'one is not two')).toThrow(/one is not two/);
    expect(nse!(1, 2)).toBeUndefined();
    expect(() => nse!('a', 'a')).toThrow(AssertionError);
  });
});
