import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { codeOf, kindCodeOf } from '../../../test/codes.ts';
import { ERROR_CODES, InputError, UsageError } from '../src/index.ts';

const DOC = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');

describe('error codes', () => {
  it('each code belongs to exactly one kind, so one condition has one exit code', () => {
    const seen = new Map<string, string>();
    const twice: string[] = [];
    for (const [kind, codes] of Object.entries(ERROR_CODES)) {
      for (const code of codes) {
        if (seen.has(code)) twice.push(`${code}: ${seen.get(code)} and ${kind}`);
        seen.set(code, kind);
      }
    }
    expect(twice).toEqual([]);
    expect(seen.size).toBeGreaterThan(200);
  });

  it('docs/errors.md lists every code under its kind', () => {
    for (const [kind, codes] of Object.entries(ERROR_CODES)) {
      const section = DOC.split(`## \`${kind}\``)[1]?.split('\n## ')[0] ?? '';
      const missing = codes.filter((c) => !section.includes(`\`${c}\``));
      expect(missing, kind).toEqual([]);
    }
  });

  it('the shared helper reports kind and code, and says when nothing or something foreign was thrown', () => {
    expect(
      kindCodeOf(() => {
        throw new InputError({ code: 'BUNDLE_INVALID', message: 'x' });
      }),
    ).toBe('input:BUNDLE_INVALID');
    expect(
      codeOf(() => {
        throw new UsageError({ code: 'USAGE', message: 'x' });
      }),
    ).toBe('USAGE');
    expect(codeOf(() => 1)).toBe('none');
    expect(codeOf(() => JSON.parse('{'))).toBe('thrown:SyntaxError');
  });
});
