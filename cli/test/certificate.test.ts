import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, cli, tempDir } from './helpers.ts';

const SAMPLE = fileURLToPath(new URL('../../examples/sample-model', import.meta.url));
const PKI = fileURLToPath(new URL('../../packages/verify/test/fixtures/', import.meta.url));

afterAll(cleanup);

function signedModel(leaf: string): string {
  const m = join(tempDir(), 'm');
  cpSync(SAMPLE, m, { recursive: true });
  const r = cli([
    'sign',
    m,
    '--key',
    join(PKI, 'leaf.key'),
    '--certificate-chain',
    join(PKI, leaf),
    '--certificate-chain',
    join(PKI, 'int.pem'),
  ]);
  expect(r.status, r.stderr).toBe(0);
  return m;
}

describe('certificate method through the CLI', () => {
  it('signs with leaf + intermediate and verifies against the root', () => {
    const m = signedModel('leaf.pem');
    const b = JSON.parse(readFileSync(join(m, 'model.sig'), 'utf8'));
    expect(b.verificationMaterial.x509CertificateChain.certificates).toHaveLength(2);
    const r = cli(['verify', m, '--certificate-chain', join(PKI, 'root.pem'), '--output', 'json']);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).signer).toMatchObject({
      kind: 'certificate',
      subject: 'CN=modelseal test signer',
    });
  });
  it('an expired signing certificate fails by default (exit 3) and passes inside its validity window', () => {
    const m = signedModel('expired-leaf.pem');
    const r = cli(['verify', m, '--certificate-chain', join(PKI, 'root.pem')]);
    expect(r.status).toBe(3);
    expect(r.stderr).toContain('CERTIFICATE_EXPIRED');
    expect(r.stderr).toContain('modelseal expired signer');
    // the root fixture is only valid from its creation (2026), so 2020 fails on the root instead
    const old = cli([
      'verify',
      m,
      '--certificate-chain',
      join(PKI, 'root.pem'),
      '--verify-time',
      '2020-06-01T00:00:00Z',
    ]);
    expect(old.status).toBe(3);
    expect(old.stderr).toMatch(/CERTIFICATE_(NOT_YET_VALID|EXPIRED)/);
  });
  it('an unrelated root is refused (exit 3), and so is a key for a certificate bundle', () => {
    const m = signedModel('leaf.pem');
    const r = cli(['verify', m, '--certificate-chain', join(PKI, 'other-root.pem')]);
    expect(r.status).toBe(3);
    expect(r.stderr).toContain('CERTIFICATE_CHAIN_UNTRUSTED');
    const k = cli(['verify', m, '--key', join(PKI, 'root.pem')]);
    expect(k.status).toBe(3);
    expect(k.stderr).toContain('TRUST_MODE_MISMATCH');
  });
  it('a private key that does not match the leaf is refused before hashing (exit 6)', () => {
    const m = join(tempDir(), 'm');
    cpSync(SAMPLE, m, { recursive: true });
    const r = cli(['sign', m, '--key', join(PKI, 'int.key'), '--certificate-chain', join(PKI, 'leaf.pem')]);
    expect(r.status).toBe(6);
    expect(r.stderr).toContain('KEY_CERTIFICATE_MISMATCH');
  });
});
