/**
 * P-384 and P-521 keys sign with their curve's hash (SHA-384/512, as model_signing does) and
 * verify through every path: verify, verify-blob --key, verify-attestation, certificate chains.
 * Keys model_signing cannot verify (Ed25519, RSA) sign with a warning that says so.
 */
import { cpSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, cli, tempDir } from './helpers.ts';
import { makePki, modelSigningCertificateCheck, modelSigningKeyCheck } from './model-signing-rules.ts';

let dir: string;
const f = (...p: string[]) => join(dir, ...p);
const model = (name: string) => {
  const m = f(name);
  cpSync('examples/sample-model', m, { recursive: true });
  return m;
};
const subjectOf = (bundle: string) =>
  JSON.parse(Buffer.from(JSON.parse(readFileSync(bundle, 'utf8')).dsseEnvelope.payload, 'base64').toString())
    .subject[0].digest.sha256;

beforeAll(() => {
  dir = tempDir();
});
afterAll(cleanup);

describe.each(['ecdsa-p384', 'ecdsa-p521'])('%s', (alg) => {
  let key: string;
  let pub: string;
  beforeAll(() => {
    expect(cli(['keygen', '--algorithm', alg, '--output-key-prefix', f(alg)]).status).toBe(0);
    key = f(`${alg}.key`);
    pub = f(`${alg}.pub`);
  });

  it('sign (no warning) -> verify, and model_signing’s rules accept the bundle', () => {
    const m = model(`${alg}-m`);
    const s = cli(['sign', m, '--key', key]);
    expect(s.status, s.stderr).toBe(0);
    expect(s.stderr).not.toContain('warning');
    expect(() =>
      modelSigningKeyCheck(JSON.parse(readFileSync(join(m, 'model.sig'), 'utf8')), readFileSync(pub, 'utf8')),
    ).not.toThrow();
    const v = cli(['verify', m, '--key', pub]);
    expect(v.status, v.stderr).toBe(0);
  });

  it('verify-blob --key checks the model bundle against its subject digest', () => {
    const m = model(`${alg}-blob`);
    expect(cli(['sign', m, '--key', key]).status).toBe(0);
    const bundle = join(m, 'model.sig');
    const digest = `sha256:${subjectOf(bundle)}`;
    const r = cli(['verify-blob', digest, '--bundle', bundle, '--key', pub]);
    expect(r.status, r.stderr).toBe(0);
    // another key of the same curve does not pass
    const other = f(`${alg}-other`);
    expect(cli(['keygen', '--algorithm', alg, '--output-key-prefix', other]).status).toBe(0);
    expect(cli(['verify-blob', digest, '--bundle', bundle, '--key', `${other}.pub`]).status).toBe(3);
  });

  it('attest -> verify-attestation --key (SLSA and OMS)', () => {
    const m = model(`${alg}-att`);
    const store = f(`${alg}-store`);
    for (const type of ['oms', 'slsa']) {
      const extra = type === 'slsa' ? ['--builder-id', 'https://ci.example/train'] : [];
      const a = cli(['attest', m, '--type', type, '--key', key, '--store', store, ...extra]);
      expect(a.status, a.stderr).toBe(0);
      const v = cli(['verify-attestation', m, '--type', type, '--key', pub, '--store', store]);
      expect(v.status, v.stderr).toBe(0);
    }
  });

  it('a certificate chain on this curve signs and verifies (ours and model_signing’s rules)', () => {
    const pkiDir = f(`${alg}-pki`);
    mkdirSync(pkiDir);
    const pki = makePki(pkiDir, alg === 'ecdsa-p384' ? 'P-384' : 'P-521');
    const m = model(`${alg}-chain`);
    const s = cli([
      'sign',
      m,
      '--key',
      pki.leafKey,
      '--certificate-chain',
      pki.leaf,
      '--certificate-chain',
      pki.int,
    ]);
    expect(s.status, s.stderr).toBe(0);
    const b = JSON.parse(readFileSync(join(m, 'model.sig'), 'utf8'));
    expect(() => modelSigningCertificateCheck(b, readFileSync(pki.root, 'utf8'))).not.toThrow();
    const v = cli(['verify', m, '--certificate-chain', pki.root]);
    expect(v.status, v.stderr).toBe(0);
  });
});

describe('keys model_signing cannot verify', () => {
  it.each(['ed25519', 'rsa-3072'])('%s: sign warns on stderr, and the bundle still verifies here', (alg) => {
    expect(cli(['keygen', '--algorithm', alg, '--output-key-prefix', f(alg)]).status).toBe(0);
    const m = model(`${alg}-m`);
    const s = cli(['sign', m, '--key', f(`${alg}.key`), '--output', 'json']);
    expect(s.status, s.stderr).toBe(0);
    expect(JSON.parse(s.stdout).ok).toBe(true);
    expect(s.stderr).toMatch(
      /warning: .*not with model_signing, which accepts EC keys only \(P-256, P-384, P-521\)/,
    );
    expect(() =>
      modelSigningKeyCheck(
        JSON.parse(readFileSync(join(m, 'model.sig'), 'utf8')),
        readFileSync(f(`${alg}.pub`), 'utf8'),
      ),
    ).toThrow(/unsupported key/);
    expect(cli(['verify', m, '--key', f(`${alg}.pub`)]).status).toBe(0);
  });
  it('P-256 signs without a warning', () => {
    expect(cli(['keygen', '--output-key-prefix', f('p256')]).status).toBe(0);
    const s = cli(['sign', model('p256-m'), '--key', f('p256.key')]);
    expect(s.status).toBe(0);
    expect(s.stderr).not.toContain('warning');
  });
});
