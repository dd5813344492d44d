import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED_VECTORS } from '../../test/shared-vectors.ts';
import { EXIT_CODES } from '../src/exit.ts';
import { errorCode, inPool, runCli } from './keyless-helpers.ts';

const MT = `${SHARED_VECTORS}/model-transparency`;
const VERSIONS = ['v0.3.1', 'v1.0.0', 'v1.0.1', 'v1.1.0'].filter((v) =>
  existsSync(join(MT, `${v}-sigstore`)),
);
const IDENTITY = 'stefanb@us.ibm.com';
const ISSUER = 'https://sigstore.verify.ibm.com/oauth2';

/** OMS subject digest computed from the files themselves: SHA-256 over the raw per-file digests in order. */
function modelDigest(dir: string, tamper = false): string {
  const parts = ['signme-1', 'signme-2'].map((f, i) => {
    const bytes = Buffer.from(readFileSync(join(dir, f)));
    if (tamper && i === 0) bytes[0] = (bytes[0] ?? 0) ^ 1;
    return createHash('sha256').update(bytes).digest();
  });
  return createHash('sha256').update(Buffer.concat(parts)).digest('hex');
}

const verifyArgs = (v: string, identity: string, issuer: string, digest?: string) => {
  const dir = join(MT, `${v}-sigstore`);
  return [
    'verify-blob',
    `sha256:${digest ?? modelDigest(dir)}`,
    '--bundle',
    join(dir, 'model.sig'),
    '--certificate-identity',
    identity,
    '--certificate-oidc-issuer',
    issuer,
    '--output',
    'json',
  ];
};

describe('model_signing keyless bundles verify offline against the shipped public-good root', () => {
  it('has the four vectors', () => expect(VERSIONS).toHaveLength(4));

  it('accepts stefanb@us.ibm.com / IBM issuer and reports the signer', async () => {
    const rs = await inPool(VERSIONS, 2, (v) => runCli(verifyArgs(v, IDENTITY, ISSUER)));
    for (const r of rs) {
      expect(r.stderr).toMatch(/Verified OK/);
      expect(r.status).toBe(0);
      const out = JSON.parse(r.stdout);
      expect(out.signer).toMatchObject({ kind: 'certificate', identity: IDENTITY, issuer: ISSUER });
      expect(out.content).toBe('dsse');
    }
  });

  it('rejects another identity, a prefix of the identity, a regexp that is only a prefix, and another issuer', async () => {
    const v = 'v1.1.0';
    const attempts: Array<[string[], string]> = [
      [verifyArgs(v, 'alice@us.ibm.com', ISSUER), 'IDENTITY_MISMATCH'],
      [verifyArgs(v, 'stefanb@us.ibm.co', ISSUER), 'IDENTITY_MISMATCH'],
      [verifyArgs(v, 'stefanb@us', ISSUER), 'IDENTITY_MISMATCH'],
      [verifyArgs(v, 'tefanb@us.ibm.com', ISSUER), 'IDENTITY_MISMATCH'],
      [verifyArgs(v, IDENTITY, 'https://sigstore.verify.ibm.com/oauth'), 'ISSUER_MISMATCH'],
      [verifyArgs(v, IDENTITY, 'https://accounts.google.com'), 'ISSUER_MISMATCH'],
    ];
    const regexpPrefix = verifyArgs(v, IDENTITY, ISSUER).map((a) =>
      a === '--certificate-identity'
        ? '--certificate-identity-regexp'
        : a === IDENTITY
          ? 'stefanb@us\\.ibm'
          : a,
    );
    attempts.push([regexpPrefix, 'IDENTITY_MISMATCH']);
    const rs = await inPool(attempts, 2, ([args]) => runCli(args));
    rs.forEach((r, i) => {
      expect(r.status, r.stderr).toBe(EXIT_CODES.verification);
      expect(errorCode(r.stderr)).toBe(attempts[i]![1]);
      expect(JSON.parse(r.stdout).ok).toBe(false);
    });
  });

  it('accepts an anchored regexp that covers the whole identity', async () => {
    const args = verifyArgs('v1.0.0', IDENTITY, ISSUER).map((a) =>
      a === '--certificate-identity'
        ? '--certificate-identity-regexp'
        : a === IDENTITY
          ? '[a-z]+@us\\.ibm\\.com'
          : a,
    );
    const r = await runCli(args);
    expect(r.status, r.stderr).toBe(0);
  });

  it('rejects the digest of a model with one flipped byte', async () => {
    const dir = join(MT, 'v1.1.0-sigstore');
    const r = await runCli(verifyArgs('v1.1.0', IDENTITY, ISSUER, modelDigest(dir, true)));
    expect(r.status).toBe(EXIT_CODES.digest);
    expect(errorCode(r.stderr)).toBe('ARTIFACT_DIGEST_MISMATCH');
  });

  it('needs both an identity and an issuer for certificate bundles', async () => {
    const dir = join(MT, 'v1.1.0-sigstore');
    const base = ['verify-blob', `sha256:${modelDigest(dir)}`, '--bundle', join(dir, 'model.sig')];
    const noIssuer = await runCli([...base, '--certificate-identity', IDENTITY]);
    expect(noIssuer.status).toBe(EXIT_CODES.usage);
    expect(errorCode(noIssuer.stderr)).toBe('IDENTITY_REQUIRED');
    expect(noIssuer.stderr).toMatch(/--certificate-oidc-issuer/);
    const none = await runCli(base);
    expect(errorCode(none.stderr)).toBe('IDENTITY_REQUIRED');
    const aliases = await runCli([...base, '--identity', IDENTITY, '--identity-provider', ISSUER]);
    expect(aliases.status, aliases.stderr).toBe(0);
  });
});
