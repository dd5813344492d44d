import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { generateKeyPair, KEYGEN_ALGORITHMS, keyId, loadPublicKey } from '@modelseal/keys';
import { describe, expect, it } from 'vitest';
import { codeOfAsync as codeOf } from '../../../test/codes.ts';
import { createSigner } from '../src/index.ts';

// biome-ignore lint/suspicious/noExplicitAny: tests walk arbitrary bundle JSON
type BundleJson = Record<string, any>;
const F = `${import.meta.dirname}/../../verify/test/fixtures/`;
const payload = new TextEncoder().encode('{"_type":"https://in-toto.io/Statement/v1"}');

describe('createSigner', () => {
  it.each(KEYGEN_ALGORITHMS)('writes a v0.3 DSSE bundle with a key hint (%s)', async (alg) => {
    const { privateKeyPem, publicKeyPem } = generateKeyPair(alg);
    const bundle = (await createSigner({ kind: 'key', privateKeyPem }).sign(payload)) as BundleJson;
    expect(bundle.mediaType).toBe('application/vnd.dev.sigstore.bundle.v0.3+json');
    expect(bundle.verificationMaterial.publicKey.hint).toBe(keyId(loadPublicKey(publicKeyPem)));
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
