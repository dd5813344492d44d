import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { codeOfAsync as codeOf } from '../../../test/codes.ts';
import { SHARED_VECTORS } from '../../../test/shared-vectors.ts';
import {
  generateKeyPair,
  keyId,
  loadPrivateKey,
  loadPublicKey,
  signBytes,
  verifyBytes,
} from '../src/index.ts';

const V = `${SHARED_VECTORS}/model-transparency/`;

describe('keyId', () => {
  it('matches the hint model_signing wrote for the vector key', () => {
    const vector = JSON.parse(readFileSync(`${V}v1.1.0-elliptic-key/model.sig`, 'utf8'));
    const key = loadPublicKey(readFileSync(`${V}keys/certificate/signing-key-pub.pem`, 'utf8'));
    expect(keyId(key)).toBe(vector.verificationMaterial.publicKey.hint);
  });
});

describe('keyId of one key in several PEM forms', () => {
  it('is the same for SPKI, PKCS#1 with CRLF and the private key', () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const spki = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const pkcs1 = publicKey.export({ type: 'pkcs1', format: 'pem' }).toString().replace(/\n/g, '\r\n');
    const id = keyId(loadPublicKey(spki));
    expect(keyId(loadPublicKey(pkcs1))).toBe(id);
    expect(keyId(privateKey)).toBe(id);
    expect(keyId(generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey)).not.toBe(id);
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

describe('RSA-PSS keys', () => {
  it('sign with PSS and verify only with PSS', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa-pss', { modulusLength: 2048 });
    const data = new TextEncoder().encode('payload');
    const sig = signBytes(privateKey, data);
    expect(verifyBytes(publicKey, data, sig)).toBe(true);
    expect(verifyBytes(publicKey, new TextEncoder().encode('other'), sig)).toBe(false);
  });
});
