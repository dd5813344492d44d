/**
 * The compiler settings and cast habits issue 11 asked for, checked so they stay: tsconfig keeps
 * noImplicitReturns and noFallthroughCasesInSwitch, and no source says `as unknown as` (a parser
 * narrows with an assertion function; a builder's type is written where it is built).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO = fileURLToPath(new URL('..', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('strictness', () => {
  it('tsconfig keeps the strict flags', () => {
    const options = JSON.parse(readFileSync(join(REPO, 'tsconfig.json'), 'utf8')).compilerOptions;
    expect(options).toMatchObject({
      strict: true,
      noImplicitReturns: true,
      noFallthroughCasesInSwitch: true,
    });
  });

  it('no source file casts through unknown', () => {
    const roots = [
      ...readdirSync(join(REPO, 'packages')).map((p) => join(REPO, 'packages', p, 'src')),
      join(REPO, 'cli', 'src'),
      join(REPO, 'webhook', 'src'),
    ];
    const casts = roots
      .flatMap(sources)
      .filter((f) => readFileSync(f, 'utf8').includes('as unknown as'))
      .map((f) => f.slice(REPO.length));
    expect(casts).toEqual([]);
  });
});
