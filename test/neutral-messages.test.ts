/**
 * Library errors say what is wrong in words every caller understands: the webhook puts them in
 * admission denials, where "pass --key" means nothing to a cluster user. Flags are added by the
 * CLI alone (cli/src/hints.ts). This reads every string literal in the library packages' sources
 * and refuses any that names a command-line flag.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const REPO = fileURLToPath(new URL('..', import.meta.url));
/** everything below the CLI; sign is a signing client whose inputs are the CLI's flags and env */
const LIBRARIES = [
  'core',
  'manifest',
  'hashing',
  'attest',
  'keys',
  'verify',
  'policy',
  'admission',
  'store',
  'input',
  'oci',
  'scan',
  'bom',
  'kube',
  'pkcs11',
];
/** a flag inside words; a literal that is itself a flag (`'--digest='`) is argv being built, not advice */
const FLAG = /[\s(]--[a-z][a-z-]+/;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** String and template literal texts of a TS file, through TypeScript's own scanner. */
function literals(text: string): string[] {
  const sf = ts.createSourceFile('x.ts', text, ts.ScriptTarget.Latest, false);
  const out: string[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isStringLiteralLike(n) || ts.isTemplateHead(n) || ts.isTemplateMiddle(n) || ts.isTemplateTail(n))
      out.push(n.text);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

describe('library messages are neutral', () => {
  it('the scanner finds a flag in a literal and ignores comments and code', () => {
    // source text holding a template literal with a placeholder, as library code would
    const sample = [
      '// pass --key',
      "/* --x */ const a = 'pass --trusted-root f'; argv = ['--digest=']; n = --depth; r = /['\"]/;",
      `b = \`use --key $\{a}.\`;`,
    ].join('\n');
    expect(literals(sample).filter((l) => FLAG.test(l))).toEqual(['pass --trusted-root f', 'use --key ']);
  });

  it('no string in a library package names a command-line flag', () => {
    const found: string[] = [];
    for (const pkg of LIBRARIES) {
      for (const file of sources(join(REPO, 'packages', pkg, 'src'))) {
        for (const l of literals(readFileSync(file, 'utf8')))
          if (FLAG.test(l)) found.push(`${file.slice(REPO.length)}: ${l.slice(0, 100)}`);
      }
    }
    expect(found).toEqual([]);
  });
});
