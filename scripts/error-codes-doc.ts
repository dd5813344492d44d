/**
 * Writes docs/errors.md from ERROR_CODES (packages/core/src/codes.ts): `./pnpm exec node scripts/error-codes-doc.ts`.
 * packages/core/test/codes.test.ts fails when the page and the lists drift apart.
 */
import { writeFileSync } from 'node:fs';
import { EXIT_CODES, EXIT_MEANINGS } from '../cli/src/exit.ts';
import { ERROR_CODES, type ErrorKind } from '../packages/core/src/index.ts';

const FAMILIES: Partial<Record<ErrorKind, string>> = {
  verification: ' and `SIGSTORE_*` (a check of `@sigstore/verify` failed; the suffix is its code)',
  internal: ' and `SIGSTORE_SIGN_*` (a Sigstore service failed while signing; the suffix is its code)',
};

const lines = [
  '# Error codes',
  '',
  'Every error modelseal reports carries a stable code (`error[CODE]: message` on stderr, `error.code`',
  'with `--output json`, `reason.code` in admission denials). Each code belongs to one kind, and the kind',
  'alone decides the exit code, so a condition exits the same way from every command. This page is',
  'generated from `ERROR_CODES` in `packages/core/src/codes.ts` by `./pnpm exec node scripts/error-codes-doc.ts`.',
  '',
];
for (const [kind, codes] of Object.entries(ERROR_CODES) as [ErrorKind, readonly string[]][]) {
  lines.push(`## \`${kind}\` — exit ${EXIT_CODES[kind]} (${EXIT_MEANINGS[kind]})`, '');
  lines.push(`${codes.map((c) => `\`${c}\``).join(', ')}${FAMILIES[kind] ?? ''}`, '');
}
writeFileSync(new URL('../docs/errors.md', import.meta.url), lines.join('\n'));
