/** Signing configurations; a tagged union resolved once from CLI flags into a frozen value. */
export type SignerConfig =
  | {
      readonly kind: 'key';
      readonly privateKeyPem: string;
      readonly passphrase?: string;
      /** RFC 3161 TSA to timestamp the signature (cosign --timestamp-server-url with --key) */
      readonly timestampServerUrl?: string;
    }
  | {
      readonly kind: 'certificate';
      readonly privateKeyPem: string;
      readonly passphrase?: string;
      /** PEM certificates, signing (leaf) certificate first */
      readonly certificateChainPem: readonly string[];
    }
  | {
      readonly kind: 'keyless';
      readonly identityToken: string;
      readonly fulcioUrl: string;
      readonly rekorUrl?: string;
      readonly timestampServerUrl?: string;
      readonly tlogUpload: boolean;
    };

/** One method: DSSE-sign an in-toto statement's exact bytes and return a Sigstore bundle v0.3 (JSON). */
export interface Signer {
  sign(payload: Uint8Array, payloadType?: string): Promise<Record<string, unknown>>;
}
