import { asModelsealError } from '@modelseal/core';
import { BUNDLE_V03_MEDIA_TYPE, bundleToJSON } from '@sigstore/bundle';
import { MessageSignatureBundleBuilder } from '@sigstore/sign';
import { fileKey, publicKeySigner, tokenKey } from './key-material.ts';
import { witnessesFor } from './keyless.ts';
import type { SignerConfig } from './types.ts';

/** a key file, or a key on a PKCS#11 token (its certificate chain, if any, is not used) */
export type KeyBlobConfig = Extract<SignerConfig, { kind: 'key' | 'pkcs11' }>;

/**
 * `cosign sign-blob --key`: a message signature over the file's bytes, signed with a key (a file,
 * or `pkcs11:` on a token, as cosign takes both), the public key's hint as verification material,
 * v0.3. No log entry, as with key signing elsewhere.
 */
export function keyBlobSigner(config: KeyBlobConfig): {
  sign(data: Uint8Array): Promise<Record<string, unknown>>;
} {
  const key = config.kind === 'pkcs11' ? tokenKey(config) : fileKey(config.privateKeyPem, config.passphrase);
  const signer = publicKeySigner(key);
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
