/**
 * Hardware keys as a user meets them: a SoftHSM2 token (softhsm-token.ts) and the CLI run as a
 * process with `--key pkcs11:…`. The bundle must verify through the plain `verify --key pub.pem`
 * path and under model_signing's rules. Skipped, with the reason printed, only where softhsm2 is
 * absent.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_CODES } from '../src/exit.ts';
import { cleanup } from './helpers.ts';
import { makePki, modelSigningCertificateCheck, modelSigningKeyCheck } from './model-signing-rules.ts';
import {
  f,
  has,
  MODULE,
  model,
  PIN,
  pub,
  publicPem,
  run,
  SOFTHSM,
  setUpToken,
  TOKEN,
  tool,
  uri,
  V03,
} from './softhsm-token.ts';

if (!SOFTHSM)
  console.warn('pkcs11-softhsm: skipped: softhsm2 is not installed (bash scripts/ci-apt.sh installs it)');
beforeAll(setUpToken, 120_000);
afterAll(cleanup);

describe.skipIf(!SOFTHSM)('sign with a key on a SoftHSM2 token, verify with its public key', () => {
  it('P-256: sign → verify --key pub.pem; the bundle meets model_signing rules; a changed file fails', () => {
    if (pub.generated !== 'imported') {
      // the key was made on the token and cannot be read out of it
      expect(pub.generated).toMatch(/Private Key Object; EC[\s\S]*never extractable/);
    }
    const m = model('m256');
    const s = run(['sign', m, '--key', uri('ec256')]);
    expect(s.stderr).toContain('Signed');
    expect(s.status).toBe(0);
    expect(s.stderr).not.toContain(PIN);
    const bundle = JSON.parse(readFileSync(join(m, 'model.sig'), 'utf8'));
    expect(bundle.mediaType).toBe(V03);
    expect(Object.keys(bundle.verificationMaterial).sort()).toEqual(['publicKey', 'tlogEntries']);
    modelSigningKeyCheck(bundle, readFileSync(f('ec256.pub'), 'utf8'));

    const v = run(['verify', m, '--key', f('ec256.pub')]);
    expect(v.stderr).toContain('Verification succeeded');
    expect(v.status).toBe(0);
    // another key on the same token does not verify it
    expect(run(['verify', m, '--key', f('ec384.pub')]).status).toBe(EXIT_CODES.verification);
    appendFileSync(join(m, 'README.md'), 'tampered\n');
    expect(run(['verify', m, '--key', f('ec256.pub')]).status).toBe(EXIT_CODES.digest);
  });

  it('P-384 picked by id, module from $MODELSEAL_PKCS11_MODULE; RSA with --pkcs11-module warns about model_signing', () => {
    const m = model('m384');
    const byId = `pkcs11:token=${encodeURIComponent(TOKEN)};id=%02?pin-source=file:${f('pin')}`;
    const s = run(['sign', m, '--key', byId, '--output', 'json'], {
      MODELSEAL_PKCS11_MODULE: MODULE as string,
    });
    expect(s.stderr).toBe('');
    expect(s.status).toBe(0);
    const bundle = JSON.parse(readFileSync(join(m, 'model.sig'), 'utf8'));
    modelSigningKeyCheck(bundle, readFileSync(f('ec384.pub'), 'utf8'));
    expect(run(['verify', m, '--key', f('ec384.pub')]).status).toBe(0);

    const r = model('mrsa');
    const rs = run([
      'sign',
      r,
      '--key',
      uri('rsa2048', `pin-value=${PIN}`),
      '--pkcs11-module',
      MODULE as string,
    ]);
    expect(rs.stderr).toMatch(/warning: .*not with model_signing/);
    expect(rs.status).toBe(0);
    expect(run(['verify', r, '--key', f('rsa2048.pub')]).status).toBe(0);
  });

  it('a certificate for the token key: sign --certificate-chain, verify against the root', () => {
    execFileSync('mkdir', ['-p', f('pki')]);
    const pki = makePki(f('pki'));
    // issued for the token's public key (openssl never sees the private key), by the intermediate
    execFileSync('openssl', [
      'x509',
      '-new',
      '-force_pubkey',
      f('ec256.pub'),
      '-subj',
      '/CN=token leaf',
      '-CA',
      pki.int,
      '-CAkey',
      join(f('pki'), 'int.key'),
      '-days',
      '10',
      '-extfile',
      join(f('pki'), 'leaf.ext'),
      '-out',
      f('token-leaf.pem'),
    ]);
    const m = model('mcert');
    const s = run([
      'sign',
      m,
      '--key',
      uri('ec256'),
      '--certificate-chain',
      f('token-leaf.pem'),
      '--certificate-chain',
      pki.int,
    ]);
    expect(s.stderr).toContain('Signed');
    expect(s.status).toBe(0);
    const bundle = JSON.parse(readFileSync(join(m, 'model.sig'), 'utf8'));
    modelSigningCertificateCheck(bundle, readFileSync(pki.root, 'utf8'));
    expect(run(['verify', m, '--certificate-chain', pki.root]).status).toBe(0);
    // a certificate for another key is refused before anything is signed
    const other = run([
      'sign',
      model('mcert2'),
      '--key',
      uri('ec384'),
      '--certificate-chain',
      f('token-leaf.pem'),
      '--certificate-chain',
      pki.int,
    ]);
    expect(other.stderr).toContain('KEY_CERTIFICATE_MISMATCH');
    expect(other.status).toBe(EXIT_CODES.input);
  });

  it('attest shares the key loader: SLSA provenance signed on the token verifies with the public key', () => {
    const m = model('matt');
    const a = run([
      'attest',
      m,
      '--type',
      'slsa',
      '--builder-id',
      'https://ci.example/b',
      '--key',
      uri('ec256'),
      '--store',
      f('store'),
    ]);
    expect(a.status, a.stderr).toBe(0);
    const v = run([
      'verify-attestation',
      m,
      '--key',
      f('ec256.pub'),
      '--store',
      f('store'),
      '--type',
      'slsa',
    ]);
    expect(v.status, v.stderr).toBe(0);
    expect(
      run(['verify-attestation', m, '--key', f('ec384.pub'), '--store', f('store'), '--type', 'slsa']).status,
    ).not.toBe(0);
  });
});

describe.skipIf(!SOFTHSM || !has('pkcs11-tool'))('where the public key comes from', () => {
  it('a certificate object when there is no public object; a public object of another key is caught before signing', () => {
    const login = ['--login', '--pin', PIN];
    // pa: its public object is removed and replaced by a certificate with its CKA_ID
    writeFileSync(
      f('pa.pub'),
      publicPem(
        tool([...login, '--keypairgen', '--key-type', 'EC:secp256r1', '--label', 'pa', '--id', '05']),
        'EC:secp256r1',
      ),
    );
    tool([...login, '--delete-object', '--type', 'pubkey', '--id', '05']);
    const m = model('mpa');
    const none = run(['sign', m, '--key', uri('pa')]);
    expect(none.stderr).toContain('error[PKCS11_PUBLIC_KEY_NOT_FOUND]');
    expect(none.status).toBe(EXIT_CODES.not_found);
    execFileSync('mkdir', ['-p', f('pki-pa')]);
    const pki = makePki(f('pki-pa'));
    execFileSync('openssl', [
      'x509',
      '-new',
      '-force_pubkey',
      f('pa.pub'),
      '-subj',
      '/CN=pa',
      '-CA',
      pki.int,
      '-CAkey',
      join(f('pki-pa'), 'int.key'),
      '-days',
      '10',
      '-outform',
      'DER',
      '-out',
      f('pa.der'),
    ]);
    tool([...login, '--write-object', f('pa.der'), '--type', 'cert', '--id', '05', '--label', 'pa']);
    expect(run(['sign', m, '--key', uri('pa')]).status).toBe(0);
    expect(run(['verify', m, '--key', f('pa.pub')]).status).toBe(0);

    // pb: its own public object is gone and pc's public object is relabelled with pb's id
    tool([...login, '--keypairgen', '--key-type', 'EC:secp256r1', '--label', 'pb', '--id', '06']);
    tool([...login, '--delete-object', '--type', 'pubkey', '--id', '06']);
    tool([...login, '--keypairgen', '--key-type', 'EC:secp256r1', '--label', 'pc', '--id', '07']);
    tool([...login, '--type', 'pubkey', '--id', '07', '--set-id', '06']);
    const mb = model('mpb');
    const mismatch = run(['sign', mb, '--key', uri('pb')]);
    expect(mismatch.stderr).toContain('error[PKCS11_KEY_MISMATCH]');
    expect(mismatch.status).toBe(EXIT_CODES.input);
    expect(existsSync(join(mb, 'model.sig'))).toBe(false);
  });
});

describe.skipIf(!SOFTHSM)("model_signing's spelling: sign pkcs11-key --pkcs11_uri", () => {
  it('signs on the token into --signature, and verify key --public_key accepts it', () => {
    const m = model('mpkcs11-key');
    const sig = f('pkcs11-key.sig');
    const s = run(['sign', 'pkcs11-key', '--pkcs11_uri', uri('ec256'), '--signature', sig, m]);
    expect(s.status, s.stderr).toBe(0);
    expect(s.stderr).not.toContain(PIN);
    const v = run(['verify', 'key', '--signature', sig, '--public_key', f('ec256.pub'), m]);
    expect(v.status, v.stderr).toBe(0);
    expect(run(['verify', 'key', '--signature', sig, '--public_key', f('ec384.pub'), m]).status).toBe(
      EXIT_CODES.verification,
    );
  });
});

describe.skipIf(!SOFTHSM)('cosign habit: sign-blob --key pkcs11:…', () => {
  it('signs a file on the token; verify-blob --key takes the public key, refuses another and a changed file', () => {
    const blob = f('blob.bin');
    writeFileSync(blob, 'weights, or any file\n');
    const bundle = f('blob.sigstore.json');
    const s = run(['sign-blob', blob, '--key', uri('ec256'), '--bundle', bundle]);
    expect(s.status, s.stderr).toBe(0);
    expect(s.stderr).toContain('PKCS#11 token');
    expect(s.stderr).not.toContain(PIN);
    const json = JSON.parse(readFileSync(bundle, 'utf8'));
    expect(json.mediaType).toBe(V03);
    expect(json.messageSignature).toBeDefined();
    expect(run(['verify-blob', blob, '--bundle', bundle, '--key', f('ec256.pub')]).status).toBe(0);
    expect(run(['verify-blob', blob, '--bundle', bundle, '--key', f('ec384.pub')]).status).toBe(
      EXIT_CODES.verification,
    );
    writeFileSync(blob, 'changed\n');
    expect(run(['verify-blob', blob, '--bundle', bundle, '--key', f('ec256.pub')]).status).toBe(
      EXIT_CODES.digest,
    );
  });
});
