import type { Pkcs11Uri } from '@modelseal/pkcs11';
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
      /** a key on a PKCS#11 token (HSM, smart card, SoftHSM): it signs there and never leaves */
      readonly kind: 'pkcs11';
      /** the RFC 7512 URI naming the token and the private key */
      readonly uri: Pkcs11Uri;
      /** the user PIN, already read from pin-value or pin-source; never logged */
      readonly pin?: string;
      /** the module library when the URI names none */
      readonly module?: string;
      /** as for 'certificate': the token key's certificate first, then intermediates */
      readonly certificateChainPem?: readonly string[];
      readonly timestampServerUrl?: string;
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
