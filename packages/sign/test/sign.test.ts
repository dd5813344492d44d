import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { generateKeyPair, KEYGEN_ALGORITHMS, keyHint, loadPrivateKey, loadPublicKey } from '@modelseal/keys';
import { describe, expect, it } from 'vitest';
import { SHARED_VECTORS } from '../../../test/shared-vectors.ts';
import { createSigner } from '../src/index.ts';

// biome-ignore lint/suspicious/noExplicitAny: tests walk arbitrary bundle JSON
type BundleJson = Record<string, any>;
const V = `${SHARED_VECTORS}/model-transparency/`;
const F = `${import.meta.dirname}/../../verify/test/fixtures/`;
const payload = new TextEncoder().encode('{"_type":"https://in-toto.io/Statement/v1"}');
const codeOf = async (f: () => unknown): Promise<string | undefined> => {
  try {
    await f();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
};

describe('keyHint', () => {
  it('matches the hint model_signing wrote for the vector key', () => {
    const vector = JSON.parse(readFileSync(`${V}v1.1.0-elliptic-key/model.sig`, 'utf8'));
    const key = loadPublicKey(readFileSync(`${V}keys/certificate/signing-key-pub.pem`, 'utf8'));
    expect(keyHint(key)).toBe(vector.verificationMaterial.publicKey.hint);
  });
});

describe('loadPrivateKey', () => {
  it('loads SEC1 EC and PKCS#1 RSA keys as well as PKCS#8', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    expect(loadPrivateKey(ec.export({ type: 'sec1', format: 'pem' }).toString()).asymmetricKeyType).toBe(
      'ec',
    );
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    expect(loadPrivateKey(rsa.export({ type: 'pkcs1', format: 'pem' }).toString()).asymmetricKeyType).toBe(
      'rsa',
    );
  });
  it('distinguishes a missing from a wrong passphrase, and never echoes either', async () => {
    const { privateKeyPem } = generateKeyPair('ecdsa-p256', 'correct horse');
    expect(privateKeyPem).toContain('ENCRYPTED PRIVATE KEY');
    expect(await codeOf(() => loadPrivateKey(privateKeyPem))).toBe('KEY_PASSPHRASE_REQUIRED');
    try {
      loadPrivateKey(privateKeyPem, 'battery staple');
      expect.unreachable();
    } catch (e) {
      expect((e as { code: string }).code).toBe('KEY_PASSPHRASE_INVALID');
      expect(String((e as Error).message)).not.toContain('battery');
      expect(JSON.stringify(e)).not.toContain(privateKeyPem.split('\n')[1]);
    }
    expect(loadPrivateKey(privateKeyPem, 'correct horse').type).toBe('private');
  });
  it('rejects RSA under 2048 bits, unsupported curves and garbage', async () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    });
    expect(await codeOf(() => loadPrivateKey(small.toString()))).toBe('KEY_TOO_WEAK');
    const k1 = generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    });
    expect(await codeOf(() => loadPrivateKey(k1.toString()))).toBe('KEY_ALGORITHM_UNSUPPORTED');
    expect(await codeOf(() => loadPrivateKey('hello'))).toBe('KEY_INVALID');
    expect(
      await codeOf(() => loadPrivateKey('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n')),
    ).toBe('KEY_INVALID');
  });
});

describe('createSigner', () => {
  it.each(KEYGEN_ALGORITHMS)('writes a v0.3 DSSE bundle with a key hint (%s)', async (alg) => {
    const { privateKeyPem, publicKeyPem } = generateKeyPair(alg);
    const bundle = (await createSigner({ kind: 'key', privateKeyPem }).sign(payload)) as BundleJson;
    expect(bundle.mediaType).toBe('application/vnd.dev.sigstore.bundle.v0.3+json');
    expect(bundle.verificationMaterial.publicKey.hint).toBe(keyHint(loadPublicKey(publicKeyPem)));
    expect(bundle.dsseEnvelope.payloadType).toBe('application/vnd.in-toto+json');
    expect(bundle.dsseEnvelope.signatures).toHaveLength(1);
    expect(Buffer.from(bundle.dsseEnvelope.payload, 'base64').equals(Buffer.from(payload))).toBe(true);
  });
  it('puts the whole chain, leaf first, into certificate bundles', async () => {
    const chain = [readFileSync(`${F}leaf.pem`, 'utf8'), readFileSync(`${F}int.pem`, 'utf8')];
    const signer = createSigner({
      kind: 'certificate',
      privateKeyPem: readFileSync(`${F}leaf.key`, 'utf8'),
      certificateChainPem: chain,
    });
    const bundle = (await signer.sign(payload)) as BundleJson;
    const certs = bundle.verificationMaterial.x509CertificateChain.certificates;
    expect(certs).toHaveLength(2);
    const leafDer = new X509Certificate(chain[0] as string).raw.toString('base64');
    expect(certs[0].rawBytes).toBe(leafDer);
  });
  it('refuses a key that does not belong to the leaf certificate', async () => {
    const other = generateKeyPair('ecdsa-p256').privateKeyPem;
    const chain = [readFileSync(`${F}leaf.pem`, 'utf8')];
    expect(
      await codeOf(() =>
        createSigner({ kind: 'certificate', privateKeyPem: other, certificateChainPem: chain }),
      ),
    ).toBe('KEY_CERTIFICATE_MISMATCH');
  });
  it('refuses keyless signing that could not be timestamped', async () => {
    expect(
      await codeOf(() =>
        createSigner({
          kind: 'keyless',
          identityToken: 't',
          fulcioUrl: 'https://127.0.0.1:1',
          tlogUpload: false,
        }),
      ),
    ).toBe('NO_TIMESTAMP_SOURCE');
  });
});

describe('RSA-PSS keys', () => {
  it('sign with PSS and verify only with PSS', async () => {
    const { verifyBytes, signBytes } = await import('@modelseal/keys');
    const { privateKey, publicKey } = generateKeyPairSync('rsa-pss', { modulusLength: 2048 });
    const data = new TextEncoder().encode('payload');
    const sig = signBytes(privateKey, data);
    expect(verifyBytes(publicKey, data, sig)).toBe(true);
    expect(verifyBytes(publicKey, new TextEncoder().encode('other'), sig)).toBe(false);
  });
});
