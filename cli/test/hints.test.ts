/**
 * The CLI turns a neutral library error into advice with flags (cli/src/hints.ts): on stderr as a
 * `hint:` line under the error, and as `error.hint` with --output json. The message itself stays
 * free of flags, as the webhook shows it to cluster users.
 */
import { describe, expect, it } from 'vitest';
import { SHARED_VECTORS } from '../../test/shared-vectors.ts';
import { cli } from './helpers.ts';

const MT = `${SHARED_VECTORS}/model-transparency`;
const KEY = `${MT}/keys/certificate/signing-key-pub.pem`;

describe('hints', () => {
  it('a certificate-signed model verified with --key: neutral message, hint names the flags to use', () => {
    const r = cli([
      'verify',
      `${MT}/v1.1.0-certificate`,
      '--key',
      KEY,
      '--ignore-paths',
      `${MT}/v1.1.0-certificate/ignore-me`,
    ]);
    expect(r.status).toBe(3);
    const [error, hint] = r.stderr.trim().split('\n').slice(-2);
    expect(error).toMatch(/^error\[TRUST_MODE_MISMATCH\]: /);
    expect(error).not.toMatch(/--[a-z]/);
    expect(hint).toBe(
      '  hint: verify it with --certificate-chain <root CA PEM>, or --certificate-identity/--certificate-oidc-issuer for Sigstore',
    );
  });

  it('with --output json the hint is a field of the error object', () => {
    const r = cli(['verify', `${MT}/v1.1.0-certificate`, '--key', KEY, '--output', 'json']);
    const out = JSON.parse(r.stdout);
    expect(out.error.code).toBe('TRUST_MODE_MISMATCH');
    expect(out.error.hint).toContain('--certificate-chain');
  });

  it('errors without advice get no hint line', () => {
    const r = cli([
      'verify',
      `${MT}/v1.1.0-elliptic-key`,
      '--key',
      KEY,
      '--bundle',
      `${MT}/does-not-exist.sig`,
    ]);
    expect(r.status).toBe(5);
    expect(r.stderr).toContain('error[FILE_NOT_FOUND]');
    expect(r.stderr).not.toContain('hint:');
  });
});
