/**
 * Every kind of bundle modelseal writes is a Sigstore bundle v0.3, shaped the way its reader
 * expects: model_signing for key and certificate-chain model signatures (chain in
 * `x509CertificateChain`, leaf first), Sigstore clients for keyless ones (one `certificate`).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalSigstore, startLocalSigstore } from '@modelseal/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './keyless-helpers.ts';
import { makePki, modelSigningCertificateCheck, modelSigningKeyCheck } from './model-signing-rules.ts';

const V03 = 'application/vnd.dev.sigstore.bundle.v0.3+json';
const V02 = 'application/vnd.dev.sigstore.bundle+json;version=0.2';
const ENV = { ...process.env, SIGSTORE_ID_TOKEN: '', ACTIONS_ID_TOKEN_REQUEST_URL: '' };

let dir: string;
let ss: LocalSigstore;
let pki: ReturnType<typeof makePki>;
const f = (name: string) => join(dir, name);
const read = (p: string) => JSON.parse(readFileSync(p, 'utf8'));
const materialKeys = (b: { verificationMaterial: object }) =>
  Object.keys(b.verificationMaterial)
    .filter((k) => k !== 'tlogEntries' && k !== 'timestampVerificationData')
    .sort();
const model = (name: string) => {
  const m = f(name);
  cpSync('examples/sample-model', m, { recursive: true });
  return m;
};
const keyless = () => ({
  env: {
    ...ENV,
    SIGSTORE_ID_TOKEN: ss.mintToken({ identity: 'https://ci.example/rel', issuer: 'https://oidc.example' }),
  },
});

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'modelseal-shapes-'));
  ss = await startLocalSigstore();
  writeFileSync(f('signing.json'), JSON.stringify(ss.signingConfig));
  writeFileSync(f('root.json'), JSON.stringify(ss.trustedRoot));
  writeFileSync(f('blob.txt'), 'hello\n');
  pki = makePki(dir);
  expect((await runCli(['keygen', '--output-key-prefix', f('k')])).status).toBe(0);
});
afterAll(async () => {
  await ss?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('bundle media type and verification material, per kind', () => {
  it('key: v0.3, a publicKey hint, accepted by model_signing’s key rules', async () => {
    const m = model('key');
    const r = await runCli(['sign', m, '--key', f('k.key')]);
    expect(r.status, r.stderr).toBe(0);
    const b = read(join(m, 'model.sig'));
    expect(b.mediaType).toBe(V03);
    expect(materialKeys(b)).toEqual(['publicKey']);
    expect(() => modelSigningKeyCheck(b, readFileSync(f('k.pub'), 'utf8'))).not.toThrow();
  });

  /** the chain as model_signing signs it: leaf key, leaf certificate, then the intermediate */
  const signWithChain = (m: string) =>
    runCli([
      'sign',
      m,
      '--key',
      pki.leafKey,
      '--certificate-chain',
      pki.leaf,
      '--certificate-chain',
      pki.int,
    ]);

  it('certificate chain: v0.3, x509CertificateChain leaf first, accepted by model_signing’s certificate rules', async () => {
    const m = model('chain');
    const r = await signWithChain(m);
    expect(r.status, r.stderr).toBe(0);
    const b = read(join(m, 'model.sig'));
    expect(b.mediaType).toBe(V03);
    expect(materialKeys(b)).toEqual(['x509CertificateChain']);
    expect(b.verificationMaterial.x509CertificateChain.certificates).toHaveLength(2);
    expect(() => modelSigningCertificateCheck(b, readFileSync(pki.root, 'utf8'))).not.toThrow();
    // and the rules are not a rubber stamp: another root fails them
    const other = makePki(mkdtempSync(join(dir, 'other-')));
    expect(() => modelSigningCertificateCheck(b, readFileSync(other.root, 'utf8'))).toThrow();
    const v = await runCli(['verify', m, '--certificate-chain', pki.root]);
    expect(v.status, v.stderr).toBe(0);
  });

  it('our verifier still reads a v0.2 chain bundle (what modelseal wrote before)', async () => {
    const m = model('chain-v02');
    expect((await signWithChain(m)).status).toBe(0);
    const b = read(join(m, 'model.sig'));
    writeFileSync(join(m, 'model.sig'), JSON.stringify({ ...b, mediaType: V02 }));
    expect(() =>
      modelSigningCertificateCheck(read(join(m, 'model.sig')), readFileSync(pki.root, 'utf8')),
    ).toThrow(/media type/);
    const v = await runCli(['verify', m, '--certificate-chain', pki.root]);
    expect(v.status, v.stderr).toBe(0);
  });

  it('keyless sign: v0.3 with a single certificate', async () => {
    const m = model('keyless');
    const r = await runCli(['sign', m, '--signing-config', f('signing.json')], keyless());
    expect(r.status, r.stderr).toBe(0);
    const b = read(join(m, 'model.sig'));
    expect(b.mediaType).toBe(V03);
    expect(materialKeys(b)).toEqual(['certificate']);
  });

  it('sign-blob: v0.3 with a single certificate, and verify-blob accepts it', async () => {
    const out = f('blob.sigstore.json');
    const r = await runCli(
      ['sign-blob', f('blob.txt'), '--bundle', out, '--signing-config', f('signing.json')],
      keyless(),
    );
    expect(r.status, r.stderr).toBe(0);
    const b = read(out);
    expect(b.mediaType).toBe(V03);
    expect(materialKeys(b)).toEqual(['certificate']);
    expect(b.messageSignature).toBeDefined();
    const v = await runCli([
      'verify-blob',
      f('blob.txt'),
      '--bundle',
      out,
      '--trusted-root',
      f('root.json'),
      '--certificate-identity',
      'https://ci.example/rel',
      '--certificate-oidc-issuer',
      'https://oidc.example',
    ]);
    expect(v.status, v.stderr).toBe(0);
  });

  it('sign-blob --key: v0.3 with the public key hint, verify-blob --key accepts it and refuses others', async () => {
    const out = f('blob-key.sigstore.json');
    const r = await runCli(['sign-blob', f('blob.txt'), '--key', f('k.key'), '--bundle', out]);
    expect(r.status, r.stderr).toBe(0);
    const b = read(out);
    expect(b.mediaType).toBe(V03);
    expect(materialKeys(b)).toEqual(['publicKey']);
    expect(b.verificationMaterial.publicKey.hint).toMatch(/^[0-9a-f]{64}$/);
    expect(b.messageSignature.messageDigest.algorithm).toBe('SHA2_256');
    const verify = (file: string, key: string) =>
      runCli(['verify-blob', file, '--bundle', out, '--key', key]);
    expect((await verify(f('blob.txt'), f('k.pub'))).status).toBe(0);
    writeFileSync(f('blob-other.txt'), 'other bytes');
    expect((await verify(f('blob-other.txt'), f('k.pub'))).status).toBe(4);
    await runCli(['keygen', '--output-key-prefix', f('other')]);
    expect((await verify(f('blob.txt'), f('other.pub'))).status).toBe(3);
    const chain = await runCli([
      'sign-blob',
      f('blob.txt'),
      '--key',
      pki.leafKey,
      '--certificate-chain',
      pki.leaf,
    ]);
    expect(chain.status).toBe(2);
    expect(chain.stderr).toContain('BLOB_SIGNER_UNSUPPORTED');
  });

  it('attest with a key and keylessly: v0.3, publicKey hint / single certificate', async () => {
    const m = model('attest');
    const withKey = await runCli([
      'attest',
      m,
      '--type',
      'oms',
      '--key',
      f('k.key'),
      '--bundle',
      f('a-key.json'),
    ]);
    expect(withKey.status, withKey.stderr).toBe(0);
    const kb = read(f('a-key.json'));
    expect(kb.mediaType).toBe(V03);
    expect(materialKeys(kb)).toEqual(['publicKey']);
    expect(() => modelSigningKeyCheck(kb, readFileSync(f('k.pub'), 'utf8'))).not.toThrow();
    const kl = await runCli(
      ['attest', m, '--type', 'oms', '--signing-config', f('signing.json'), '--bundle', f('a-keyless.json')],
      keyless(),
    );
    expect(kl.status, kl.stderr).toBe(0);
    const lb = read(f('a-keyless.json'));
    expect(lb.mediaType).toBe(V03);
    expect(materialKeys(lb)).toEqual(['certificate']);
  });
});
