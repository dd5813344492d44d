/**
 * Contracts shared by every verifier (key, certificate chain, Sigstore keyless) and by the
 * policy engine and webhook. Values only: loading files is the caller's job (cli, webhook).
 */
import type { TrustedRoot } from '@sigstore/protobuf-specs';

/**
 * A Sigstore trusted root, parsed and checked: made by parseTrustedRoot, publicGoodTrustedRoot or
 * loadTrustedRoot (`@modelseal/verify/load`), never raw JSON. Verifiers are cached per object.
 */
export type { TrustedRoot };

/** Who may have signed. A tagged union: each `switch (trust.kind)` must be exhaustive. */
export type TrustConfig =
  /** PEM SPKI public keys (model_signing `key` method, cosign --key) */
  | {
      readonly kind: 'keys';
      readonly publicKeys: readonly string[];
      /** absent: no timestamp is checked and the keys never expire (the default, as cosign --key) */
      readonly timestamps?: KeyTimestampPolicy;
    }
  /** PEM CA certificates the bundle's x509 chain must lead to (model_signing `certificate` method) */
  | { readonly kind: 'certificate-roots'; readonly rootCertificates: readonly string[] }
  /** a Sigstore trusted root; certificates must then match an IdentityPolicy */
  | { readonly kind: 'sigstore'; readonly trustedRoot: TrustedRoot };

/**
 * A bare key has no validity window of its own; with this policy the signing time comes from an
 * RFC 3161 timestamp that one of the trusted root's timestampAuthorities signed, and it must lie
 * inside [validFrom, validUntil] (either bound may be open).
 */
export interface KeyTimestampPolicy {
  /** only its timestampAuthorities are used */
  readonly trustedRoot: TrustedRoot;
  readonly validFrom?: Date;
  readonly validUntil?: Date;
}

/** Identity requirements on a certificate signer. Strings are exact matches; regexps are anchored by us. */
export interface IdentityPolicy {
  readonly identity?: string;
  readonly identityRegexp?: string;
  readonly issuer?: string;
  readonly issuerRegexp?: string;
}

/** What a successful verification proves. */
export interface VerifiedStatement {
  /** the exact payload bytes that were signed (never re-serialized) */
  readonly payload: Uint8Array;
  /** the parsed in-toto Statement v1 */
  readonly statement: import('@modelseal/attest').Statement;
  readonly signer: SignerInfo;
  /** hex SHA-256 of the bundle file bytes: cache key for webhook and store */
  readonly bundleDigest: string;
}

export type SignerInfo =
  | { readonly kind: 'key'; readonly keyId: string }
  | {
      readonly kind: 'certificate';
      readonly subject: string;
      /** SAN (email/URI) for Fulcio certificates */
      readonly identity?: string;
      readonly issuer?: string;
      readonly notBefore: string;
      readonly notAfter: string;
    };
