import { asModelsealError } from '@modelseal/core';
import { keyId, publicKeyPem } from '@modelseal/keys';
import { BUNDLE_V03_MEDIA_TYPE, bundleToJSON } from '@sigstore/bundle';
import { MessageSignatureBundleBuilder, type Signer as SigstoreSigner } from '@sigstore/sign';
import { fileKey, tokenKey } from './key-material.ts';
import { witnessesFor } from './keyless.ts';
import type { SignerConfig } from './types.ts';

/** a key file, or a key on a PKCS#11 token (without a certificate chain) */
export type KeyBlobConfig =
  | Omit<Extract<SignerConfig, { kind: 'key' }>, 'kind'>
  | Omit<Extract<SignerConfig, { kind: 'pkcs11' }>, 'kind' | 'certificateChainPem'>;

/**
 * `cosign sign-blob --key`: a message signature over the file's bytes, signed with a key (a file,
 * or `pkcs11:` on a token, as cosign takes both), the public key's hint as verification material,
 * v0.3. No log entry, as with key signing elsewhere.
 */
export function keyBlobSigner(config: KeyBlobConfig): {
  sign(data: Uint8Array): Promise<Record<string, unknown>>;
} {
  const key = 'uri' in config ? tokenKey(config) : fileKey(config.privateKeyPem, config.passphrase);
  const pub = key.publicKey;
  const material = { $case: 'publicKey' as const, publicKey: publicKeyPem(pub), hint: keyId(pub) };
  const signer: SigstoreSigner = {
    sign: async (data) => ({ signature: await key.sign(data), key: material }),
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
