import { readdirSync, readFileSync } from 'node:fs';
import { omsStatement, serializeStatement } from '@modelseal/attest';
import { sha256Hex } from '@modelseal/core';
import { createManifest } from '@modelseal/manifest';
import { createSigner, generateKeyPair } from '@modelseal/sign';
import { describe, expect, it } from 'vitest';
import { codeOfAsync as codeOf } from '../../../test/codes.ts';
import { SHARED_VECTORS } from '../../../test/shared-vectors.ts';
import {
  checkManifest,
  parseBundle,
  publicGoodTrustedRoot,
  type TrustConfig,
  verifyBundle,
  verifyModel,
} from '../src/index.ts';

const V = `${SHARED_VECTORS}/model-transparency/`;
const F = `${import.meta.dirname}/fixtures/`;
const read = (p: string) => readFileSync(p, 'utf8');
const vectorKey = read(`${V}keys/certificate/signing-key-pub.pem`);
const vectorCa = read(`${V}keys/certificate/ca-cert.pem`);
const keyVectors = readdirSync(V).filter((d) => d.includes('elliptic-key'));
const certVectors = readdirSync(V).filter((d) => d.includes('-certificate'));

const manifest = createManifest({
  modelName: 'm',
  serialization: { method: 'files', hashType: 'sha256', allowSymlinks: false, ignorePaths: [] },
  resources: [
    { name: 'a.bin', algorithm: 'sha256', digest: sha256Hex('a') },
    { name: 'b.bin', algorithm: 'sha256', digest: sha256Hex('b') },
  ],
});
const payload = serializeStatement(omsStatement(manifest));
const keyPair = generateKeyPair('ecdsa-p256');
const keyTrust: TrustConfig = { kind: 'keys', publicKeys: [keyPair.publicKeyPem] };
const signed = async () =>
  new TextEncoder().encode(
    JSON.stringify(await createSigner({ kind: 'key', privateKeyPem: keyPair.privateKeyPem }).sign(payload)),
  );
const certBundle = async (leaf = 'leaf.pem') =>
  createSigner({
    kind: 'certificate',
    privateKeyPem: read(`${F}leaf.key`),
    certificateChainPem: [read(`${F}${leaf}`), read(`${F}int.pem`)],
  }).sign(payload);
// biome-ignore lint/suspicious/noExplicitAny: tests edit arbitrary bundle JSON
type BundleJson = any;
const mutate = async (edit: (b: BundleJson) => void) => {
  const b = JSON.parse(new TextDecoder().decode(await signed()));
  edit(b);
  return new TextEncoder().encode(JSON.stringify(b));
};

describe('model_signing vectors', () => {
  it.each(keyVectors)('%s verifies with the vector public key', async (dir) => {
    const v = await verifyBundle({
      bundle: readFileSync(`${V}${dir}/model.sig`),
      trust: { kind: 'keys', publicKeys: [vectorKey] },
    });
    expect(v.signer.kind).toBe('key');
    expect(v.statement.predicateType).toBe('https://model_signing/signature/v1.0');
  });
  it.each(certVectors)('%s verifies against the vector root CA', async (dir) => {
    const v = await verifyBundle({
      bundle: readFileSync(`${V}${dir}/model.sig`),
      trust: { kind: 'certificate-roots', rootCertificates: [vectorCa] },
    });
    expect(v.signer.kind).toBe('certificate');
  });
  it('rejects the vector certificates after they expire (model_signing does not)', async () => {
    const bundle = readFileSync(`${V}v1.1.0-certificate/model.sig`);
    const trust: TrustConfig = { kind: 'certificate-roots', rootCertificates: [vectorCa] };
    expect(await codeOf(() => verifyBundle({ bundle, trust, now: new Date('2036-01-01T00:00:00Z') }))).toBe(
      'CERTIFICATE_EXPIRED',
    );
  });
  it('rejects a vector key bundle under another key, and a certificate bundle under another root', async () => {
    const bundle = readFileSync(`${V}v1.1.0-elliptic-key/model.sig`);
    expect(await codeOf(() => verifyBundle({ bundle, trust: keyTrust }))).toBe('KEY_NOT_TRUSTED');
    const cert = readFileSync(`${V}v1.1.0-certificate/model.sig`);
    const other: TrustConfig = { kind: 'certificate-roots', rootCertificates: [read(`${F}root.pem`)] };
    expect(await codeOf(() => verifyBundle({ bundle: cert, trust: other }))).toBe(
      'CERTIFICATE_CHAIN_UNTRUSTED',
    );
  });
});

describe('verifyBundle round trips', () => {
  it.each(['ecdsa-p256', 'ecdsa-p384', 'ecdsa-p521', 'ed25519', 'rsa-3072'] as const)(
    '%s key signs and verifies',
    async (alg) => {
      const pair = generateKeyPair(alg);
      const bundle = await createSigner({ kind: 'key', privateKeyPem: pair.privateKeyPem }).sign(payload);
      const v = await verifyBundle({
        bundle: JSON.stringify(bundle),
        trust: { kind: 'keys', publicKeys: [pair.publicKeyPem] },
      });
      expect(Buffer.from(v.payload).equals(Buffer.from(payload))).toBe(true);
    },
  );
  it('certificate bundles chain to the given root and fail once expired', async () => {
    const trust: TrustConfig = { kind: 'certificate-roots', rootCertificates: [read(`${F}root.pem`)] };
    const v = await verifyBundle({ bundle: await certBundle(), trust });
    expect(v.signer).toMatchObject({ kind: 'certificate', identity: 'email:signer@example.com' });
    expect(
      await codeOf(async () => verifyBundle({ bundle: await certBundle('expired-leaf.pem'), trust })),
    ).toBe('CERTIFICATE_EXPIRED');
    const other: TrustConfig = { kind: 'certificate-roots', rootCertificates: [read(`${F}other-root.pem`)] };
    expect(await codeOf(async () => verifyBundle({ bundle: await certBundle(), trust: other }))).toBe(
      'CERTIFICATE_CHAIN_UNTRUSTED',
    );
    expect(await codeOf(async () => verifyBundle({ bundle: await certBundle(), trust: keyTrust }))).toBe(
      'TRUST_MODE_MISMATCH',
    );
  });
  it('certificate-roots trust holds a policy to the identity and issuer it names', async () => {
    const trust: TrustConfig = { kind: 'certificate-roots', rootCertificates: [read(`${F}root.pem`)] };
    const bundle = await certBundle();
    const ok = (identity: object) => verifyBundle({ bundle, trust, identity });
    expect((await ok({ identity: 'signer@example.com' })).signer.kind).toBe('certificate');
    expect((await ok({ identityRegexp: '.*@example\\.com' })).signer.kind).toBe('certificate');
    // another certificate from the same CA is not the named signer
    expect(await codeOf(() => ok({ identity: 'alice@example.com' }))).toBe('IDENTITY_MISMATCH');
    expect(await codeOf(() => ok({ identityRegexp: 'signer@example' }))).toBe('IDENTITY_MISMATCH');
    // the leaf has no Fulcio issuer extension: a named issuer cannot match
    expect(await codeOf(() => ok({ issuer: 'https://accounts.example.com' }))).toBe('ISSUER_MISMATCH');
    // model_signing's vector leaf has no SAN at all
    const vector = readFileSync(`${V}v1.1.0-certificate/model.sig`);
    const vtrust: TrustConfig = { kind: 'certificate-roots', rootCertificates: [vectorCa] };
    expect(
      await codeOf(() =>
        verifyBundle({ bundle: vector, trust: vtrust, identity: { identity: 'x@example.com' } }),
      ),
    ).toBe('IDENTITY_MISMATCH');
  });
  it('a swapped payload fails the signature check', async () => {
    const other = serializeStatement(omsStatement({ ...manifest, modelName: 'n' }));
    const bundle = await mutate((b) => {
      b.dsseEnvelope.payload = Buffer.from(other).toString('base64');
    });
    expect(await codeOf(() => verifyBundle({ bundle, trust: keyTrust }))).toBe('SIGNATURE_INVALID');
  });
  it('a forged hint naming the trusted key still fails the signature check', async () => {
    const attacker = generateKeyPair('ecdsa-p256');
    const forged = (await createSigner({ kind: 'key', privateKeyPem: attacker.privateKeyPem }).sign(
      payload,
    )) as BundleJson;
    forged.verificationMaterial.publicKey.hint = JSON.parse(
      new TextDecoder().decode(await signed()),
    ).verificationMaterial.publicKey.hint;
    expect(await codeOf(() => verifyBundle({ bundle: JSON.stringify(forged), trust: keyTrust }))).toBe(
      'SIGNATURE_INVALID',
    );
  });
});

type Case = readonly [string, () => Promise<Uint8Array | string>, string];

describe('hostile bundles', () => {
  it.each<Case>([
    ['truncated JSON', async (): Promise<Uint8Array> => (await signed()).slice(0, 100), 'JSON_MALFORMED'],
    ['empty file', async (): Promise<Uint8Array> => new Uint8Array(), 'JSON_EMPTY'],
    ['not an object', async (): Promise<string> => '[1,2]', 'BUNDLE_NOT_OBJECT'],
    [
      'unknown mediaType',
      () =>
        mutate((b) => {
          b.mediaType = 'application/json';
        }),
      'BUNDLE_MEDIA_TYPE_UNKNOWN',
    ],
    [
      'message signature',
      () =>
        mutate((b) => {
          delete b.dsseEnvelope;
          b.messageSignature = {};
        }),
      'BUNDLE_NOT_DSSE',
    ],
    [
      'wrong payloadType',
      () =>
        mutate((b) => {
          b.dsseEnvelope.payloadType = 'text/plain';
        }),
      'PAYLOAD_TYPE_UNSUPPORTED',
    ],
    [
      'two signatures',
      () =>
        mutate((b) => {
          b.dsseEnvelope.signatures.push(b.dsseEnvelope.signatures[0]);
        }),
      'BUNDLE_SIGNATURE_COUNT',
    ],
    [
      'zero signatures',
      () =>
        mutate((b) => {
          b.dsseEnvelope.signatures = [];
        }),
      'BUNDLE_SIGNATURE_COUNT',
    ],
    [
      'garbage signature',
      () =>
        mutate((b) => {
          b.dsseEnvelope.signatures[0].sig = '$$$';
        }),
      'BAD_BASE64',
    ],
    [
      'no verification material',
      () =>
        mutate((b) => {
          delete b.verificationMaterial;
        }),
      'BUNDLE_NO_VERIFICATION_MATERIAL',
    ],
    [
      'empty public key',
      () =>
        mutate((b) => {
          b.verificationMaterial.publicKey = {};
        }),
      'BUNDLE_NO_VERIFICATION_MATERIAL',
    ],
    [
      'bad certificate',
      () =>
        mutate((b) => {
          b.verificationMaterial = { x509CertificateChain: { certificates: [{ rawBytes: 'AAAA' }] } };
        }),
      'CERTIFICATE_INVALID',
    ],
    [
      'payload not a statement',
      () =>
        mutate((b) => {
          b.dsseEnvelope.payload = Buffer.from('{}').toString('base64');
        }),
      'SIGNATURE_INVALID',
    ],
  ])('%s -> %s', async (_what, make, code) => {
    expect(await codeOf(async () => verifyBundle({ bundle: await make(), trust: keyTrust }))).toBe(code);
  });
  it('oversized bundles are refused before parsing', async () => {
    const huge = new Uint8Array(65 * 1024 * 1024).fill(0x20);
    expect(await codeOf(async () => parseBundle(huge))).toBe('JSON_TOO_LARGE');
  });
  // a malformed root cannot reach verifyBundle any more: loadTrustedRoot refuses it (load.test.ts)
  it('sigstore trust refuses a key-signed bundle with a code', async () => {
    expect(
      await codeOf(async () =>
        verifyBundle({
          bundle: await signed(),
          trust: { kind: 'sigstore', trustedRoot: publicGoodTrustedRoot() },
          identity: { identity: 'a@example.com', issuer: 'https://issuer.example' },
        }),
      ),
    ).toBe('KEY_REQUIRED');
  });
});

describe('verifyModel', () => {
  it('passes when the files match and names what differs otherwise', async () => {
    const bundle = await signed();
    await expect(verifyModel({ bundle, manifest, trust: keyTrust })).resolves.toMatchObject({
      signed: manifest,
    });
    const actual = createManifest({
      ...manifest,
      resources: [
        { name: 'a.bin', algorithm: 'sha256', digest: sha256Hex('A') },
        { name: 'c.bin', algorithm: 'sha256', digest: sha256Hex('c') },
      ],
    });
    try {
      await verifyModel({ bundle, manifest: actual, trust: keyTrust });
      expect.unreachable();
    } catch (e) {
      expect(e).toMatchObject({
        kind: 'digest',
        code: 'MODEL_DIGEST_MISMATCH',
        details: { changed: ['a.bin'], missing: ['b.bin'], extra: ['c.bin'] },
      });
      expect((e as Error).message).toContain('a.bin');
    }
  });
  it('checkManifest reports changed serialization parameters', () => {
    expect(() =>
      checkManifest(manifest, {
        ...manifest,
        serialization: { ...manifest.serialization, hashType: 'blake3' },
      }),
    ).toThrow(/hashType/);
  });
});

describe('large manifests', () => {
  it('a 50,000-resource statement (a multi-megabyte payload) verifies', async () => {
    const big = createManifest({
      ...manifest,
      resources: Array.from({ length: 50_000 }, (_, i) => ({
        name: `shard-${String(Math.floor(i / 1000)).padStart(3, '0')}/sample-${String(i).padStart(6, '0')}.bin`,
        algorithm: 'sha256',
        digest: sha256Hex(String(i)),
      })),
    });
    const body = serializeStatement(omsStatement(big));
    expect(body.byteLength).toBeGreaterThan(5_000_000);
    const bundle = await createSigner({ kind: 'key', privateKeyPem: keyPair.privateKeyPem }).sign(body);
    const v = await verifyModel({ bundle: JSON.stringify(bundle), manifest: big, trust: keyTrust });
    expect(v.signed.resources).toHaveLength(50_000);
  });
});
