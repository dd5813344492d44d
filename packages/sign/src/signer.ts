import { X509Certificate } from 'node:crypto';
import { asModelsealError, IN_TOTO_PAYLOAD_TYPE, InputError } from '@modelseal/core';
import { BUNDLE_V03_MEDIA_TYPE, bundleToJSON } from '@sigstore/bundle';
import { DSSEBundleBuilder, type Signer as SigstoreSigner } from '@sigstore/sign';
import { fileKey, type KeyMaterial, publicKeySigner, tokenKey } from './key-material.ts';
import { keylessSigner, witnessesFor } from './keyless.ts';
import type { Signer, SignerConfig } from './types.ts';

/** One factory for every signing mode. */
export function createSigner(config: SignerConfig): Signer {
  switch (config.kind) {
    case 'key':
      return keySigner(fileKey(config.privateKeyPem, config.passphrase), config.timestampServerUrl);
    case 'certificate':
      return certificateSigner(fileKey(config.privateKeyPem, config.passphrase), config.certificateChainPem);
    case 'pkcs11': {
      const key = tokenKey(config);
      return config.certificateChainPem?.length
        ? certificateSigner(key, config.certificateChainPem)
        : keySigner(key, config.timestampServerUrl);
    }
    case 'keyless':
      return keylessSigner(config);
    default:
      return config satisfies never;
  }
}

function dsseSigner(
  builder: DSSEBundleBuilder,
  finish?: (b: Record<string, unknown>) => Record<string, unknown>,
): Signer {
  return {
    async sign(payload, payloadType = IN_TOTO_PAYLOAD_TYPE) {
      try {
        const bundle = await builder.create({ data: Buffer.from(payload), type: payloadType });
        const json = modelSigningShape(bundleToJSON(bundle) as Record<string, unknown>);
        return finish ? finish(json) : json;
      } catch (e) {
        throw asModelsealError(e, {
          code: 'SIGNING_FAILED',
          message: 'could not create the signature bundle',
        });
      }
    },
  };
}

/**
 * model_signing writes `tlogEntries: []` and no timestamp data for key and certificate bundles;
 * protobuf's JSON drops the empty list and keeps an empty `timestampVerificationData`.
 */
function modelSigningShape(json: Record<string, unknown>): Record<string, unknown> {
  const { timestampVerificationData, tlogEntries, ...material } = json.verificationMaterial as Record<
    string,
    unknown
  >;
  const stamps = (timestampVerificationData as { rfc3161Timestamps?: unknown[] } | undefined)
    ?.rfc3161Timestamps;
  return {
    ...json,
    verificationMaterial: {
      ...material,
      tlogEntries: tlogEntries ?? [],
      ...(stamps?.length ? { timestampVerificationData } : {}),
    },
  };
}

function keySigner(key: KeyMaterial, timestampServerUrl?: string): Signer {
  const signer = publicKeySigner(key);
  // @sigstore/bundle copies the hint into the DSSE keyid; model_signing leaves keyid empty
  // (keyid is outside the signed PAE, so this changes no signed byte).
  const witnesses = witnessesFor({ timestampServerUrl });
  return dsseSigner(new DSSEBundleBuilder({ signer, witnesses }), (json) => {
    const env = json.dsseEnvelope as { signatures: { sig: string; keyid: string }[] };
    return {
      ...json,
      dsseEnvelope: { ...env, signatures: env.signatures.map((s) => ({ ...s, keyid: '' })) },
    };
  });
}

function parseChain(pems: readonly string[]): X509Certificate[] {
  const blocks = pems.flatMap(
    (p) => p.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [],
  );
  if (blocks.length === 0) {
    throw new InputError({
      code: 'CERTIFICATE_CHAIN_FILE_EMPTY',
      message: 'no PEM certificate found in --certificate-chain',
    });
  }
  return blocks.map((b, i) => {
    try {
      return new X509Certificate(b);
    } catch {
      throw new InputError({
        code: 'CERTIFICATE_INVALID',
        message: `certificate #${i + 1} of the chain cannot be parsed`,
      });
    }
  });
}

/** model_signing `certificate` method: the leaf signs, the chain (leaf first) travels in the bundle. */
function certificateSigner(key: KeyMaterial, chainPem: readonly string[]): Signer {
  const chain = parseChain(chainPem);
  const leaf = chain[0] as X509Certificate;
  if (!leaf.publicKey.equals(key.publicKey)) {
    throw new InputError({
      code: 'KEY_CERTIFICATE_MISMATCH',
      message: `the private key does not belong to the first certificate of the chain (${leaf.subject.replace(/\n/g, ', ')}); put the signing certificate first`,
    });
  }
  const material = { $case: 'x509Certificate' as const, certificate: leaf.toString() };
  const signer: SigstoreSigner = {
    sign: async (data) => ({ signature: await key.sign(data), key: material }),
  };
  // The builder writes only the leaf, and labels a chain v0.2. model_signing 1.1 reads only
  // `x509CertificateChain` (leaf first, then intermediates) and only in a v0.3 bundle, so that is
  // what we write, though the v0.3 schema asks for a lone `certificate`; our verifier reads both.
  const certificates = chain.map((c) => ({ rawBytes: c.raw.toString('base64') }));
  return dsseSigner(new DSSEBundleBuilder({ signer, witnesses: [], certificateChain: true }), (json) => {
    const vm = json.verificationMaterial as Record<string, unknown>;
    return {
      ...json,
      mediaType: BUNDLE_V03_MEDIA_TYPE,
      verificationMaterial: { ...vm, x509CertificateChain: { certificates } },
    };
  });
}
