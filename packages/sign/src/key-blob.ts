import { asModelsealError } from '@modelseal/core';
import { keyId, loadPrivateKey, publicKeyPem, signBytes } from '@modelseal/keys';
import { BUNDLE_V03_MEDIA_TYPE, bundleToJSON } from '@sigstore/bundle';
import { MessageSignatureBundleBuilder, type Signer as SigstoreSigner } from '@sigstore/sign';
import { witnessesFor } from './keyless.ts';

export interface KeyBlobConfig {
  readonly privateKeyPem: string;
  readonly passphrase?: string;
  readonly timestampServerUrl?: string;
}

/**
 * `cosign sign-blob --key`: a message signature over the file's bytes, signed with a key, the
 * public key's hint as verification material, v0.3. No log entry, as with key signing elsewhere.
 */
export function keyBlobSigner(config: KeyBlobConfig): {
  sign(data: Uint8Array): Promise<Record<string, unknown>>;
} {
  const key = loadPrivateKey(config.privateKeyPem, config.passphrase);
  const material = { $case: 'publicKey' as const, publicKey: publicKeyPem(key), hint: keyId(key) };
  const signer: SigstoreSigner = {
    sign: async (data) => ({ signature: signBytes(key, data), key: material }),
  };
  const builder = new MessageSignatureBundleBuilder({
    signer,
    witnesses: witnessesFor({ timestampServerUrl: config.timestampServerUrl }),
  });
  return {
    async sign(data) {
      try {
        const json = bundleToJSON(await builder.create({ data: Buffer.from(data) })) as Record<
          string,
          unknown
        >;
        const { tlogEntries, ...vm } = json.verificationMaterial as Record<string, unknown>;
        return {
          ...json,
          mediaType: BUNDLE_V03_MEDIA_TYPE,
          verificationMaterial: { ...vm, tlogEntries: tlogEntries ?? [] },
        };
      } catch (e) {
        throw asModelsealError(e, {
          code: 'SIGNING_FAILED',
          message: 'could not create the signature bundle',
        });
      }
    },
  };
}
