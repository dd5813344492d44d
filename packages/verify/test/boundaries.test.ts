import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');

/** Every module specifier a TypeScript source names: static imports, re-exports, dynamic imports. */
export function importedSpecifiers(source: string): string[] {
  const found: string[] = [];
  const patterns = [
    /\b(?:import|export)\s[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"`]([^'"`]+)['"`]\s*\)/g,
    /\brequire\s*\(\s*['"`]([^'"`]+)['"`]\s*\)/g,
  ];
  for (const re of patterns) for (const m of source.matchAll(re)) found.push(m[1] as string);
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sourceFiles(join(dir, e.name))
      : /\.[cm]?[jt]s$/.test(e.name)
        ? [join(dir, e.name)]
        : [],
  );
}

const isSign = (spec: string) => spec === '@modelseal/sign' || spec.startsWith('@modelseal/sign/');

describe('packages/verify stands below sign', () => {
  it('the scanner sees every import form (so the check below can fail)', () => {
    const sample = [
      "import { a } from '@modelseal/sign';",
      "import type { B } from '@modelseal/sign/types';",
      "export { c } from '@modelseal/sign';",
      "const m = await import('@modelseal/sign');",
      "import '@modelseal/sign';",
      "import { keyId } from '@modelseal/keys';",
    ].join('\n');
    expect(importedSpecifiers(sample).filter(isSign)).toHaveLength(5);
  });

  it('no source file of packages/verify imports @modelseal/sign', () => {
    const files = sourceFiles(join(ROOT, 'src'));
    expect(files.length).toBeGreaterThan(5);
    const offenders = files.filter((f) => importedSpecifiers(readFileSync(f, 'utf8')).some(isSign));
    expect(offenders).toEqual([]);
  });

  it('@modelseal/sign is at most a devDependency (tests make bundles with it)', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(Object.keys(pkg.dependencies ?? {})).not.toContain('@modelseal/sign');
    expect(Object.keys(pkg.peerDependencies ?? {})).not.toContain('@modelseal/sign');
    expect(Object.keys(pkg.dependencies ?? {})).toContain('@modelseal/keys');
  });
});
