/**
 * Token mistakes as a user makes them, through the CLI as a process: each gives its code, the
 * exit code of its kind (cli/src/main.ts's table), no bundle, and never the PIN in any output.
 * Skipped, with the reason printed, only where softhsm2 is absent.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_CODES } from '../src/exit.ts';
import { cleanup } from './helpers.ts';
import { f, json, MODULE, model, PIN, run, SOFTHSM, setUpToken, TOKEN, uri } from './softhsm-token.ts';

if (!SOFTHSM)
  console.warn('pkcs11-errors: skipped: softhsm2 is not installed (bash scripts/ci-apt.sh installs it)');
beforeAll(setUpToken, 120_000);
afterAll(cleanup);

describe.skipIf(!SOFTHSM)('token mistakes give coded errors and the exit code of their kind', () => {
  const cases: [string, () => string[], string, keyof typeof EXIT_CODES][] = [
    [
      'wrong PIN',
      () => ['--key', uri('ec256', `pin-source=file:${f('wrong-pin')}&module-path=${MODULE}`)],
      'PKCS11_PIN_INCORRECT',
      'input',
    ],
    ['missing object', () => ['--key', uri('no-such-key')], 'PKCS11_OBJECT_NOT_FOUND', 'not_found'],
    [
      'missing token',
      () => ['--key', `pkcs11:token=absent;object=ec256?pin-value=1&module-path=${MODULE}`],
      'PKCS11_TOKEN_NOT_FOUND',
      'not_found',
    ],
    [
      'no PIN and no terminal',
      () => ['--key', uri('ec256', `module-path=${MODULE}`)],
      'PKCS11_PIN_REQUIRED',
      'usage',
    ],
    ['no module named', () => ['--key', uri('ec256', `pin-value=${PIN}`)], 'PKCS11_MODULE_REQUIRED', 'usage'],
    [
      'module path missing',
      () => ['--key', uri('ec256', `pin-value=${PIN}&module-path=${f('nope.so')}`)],
      'PKCS11_MODULE_NOT_FOUND',
      'not_found',
    ],
    [
      'module not a library',
      () => ['--key', uri('ec256', `pin-value=${PIN}&module-path=${f('pin')}`)],
      'PKCS11_MODULE_INVALID',
      'input',
    ],
    [
      'PIN file missing',
      () => ['--key', uri('ec256', `pin-source=file:${f('absent-pin')}&module-path=${MODULE}`)],
      'FILE_NOT_FOUND',
      'not_found',
    ],
    [
      'malformed URI',
      () => ['--key', 'pkcs11:token=a;token=b;object=k'],
      'PKCS11_URI_ATTRIBUTE_REPEATED',
      'usage',
    ],
    [
      'no object in the URI',
      () => ['--key', `pkcs11:token=${encodeURIComponent(TOKEN)}?pin-value=${PIN}`],
      'PKCS11_URI_OBJECT_REQUIRED',
      'usage',
    ],
  ];
  it.each(cases)('%s', (_name, args, code, kind) => {
    const m = model(`bad-${code}-${kind}`);
    const r = run(['sign', m, ...args(), '--output', 'json']);
    expect(r.stderr).toContain(`error[${code}]`);
    expect(json(r.stdout).error?.code).toBe(code);
    expect(json(r.stdout).error?.kind).toBe(kind);
    expect(r.status).toBe(EXIT_CODES[kind]);
    // nothing was signed, and no PIN reached the output
    expect(existsSync(join(m, 'model.sig'))).toBe(false);
    expect(`${r.stdout}${r.stderr}`).not.toContain(PIN);
  });
});
