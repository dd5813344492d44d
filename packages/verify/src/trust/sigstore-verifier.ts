import { createPublicKey, type KeyObject, X509Certificate as NodeX509 } from 'node:crypto';
import { InputError, isModelsealError, UsageError, VerificationError } from '@modelseal/core';
import { keyId } from '@modelseal/keys';
import type { Bundle } from '@sigstore/bundle';
import type { TrustedRoot } from '@sigstore/protobuf-specs';
import { type SignedEntity, type TrustMaterial, toTrustMaterial, Verifier } from '@sigstore/verify';
import { type CompiledIdentity, checkIdentity, compileIdentity } from '../identity.ts';
import type { IdentityPolicy, SignerInfo } from '../types.ts';
import { rememberingEntity, withRememberedCertificates } from './fast-material.ts';

export interface SigstoreVerifierOptions {
  /** parsed and checked with parseTrustedRoot */
  readonly trustedRoot: TrustedRoot;
  /** PEM SPKI: key mode (cosign --key); otherwise certificates + identity policy */
  readonly publicKeyPem?: string;
  readonly identity?: IdentityPolicy;
}

/** Checks a signed entity (signature, key or certificate, tlog, timestamps, identity); returns the signer. */
export interface SigstoreEntityVerifier {
  /**
   * `parsedLeaf`: node:crypto's parse of the bundle's leaf certificate, if the caller made one
   * (its key is then not parsed again; it is used only if its bytes are the entity's leaf).
   */
  verify(bundle: Bundle, entity: SignedEntity, parsedLeaf?: NodeX509): SignerInfo;
}

/**
 * Trust material, thresholds and the identity policy are built once. @sigstore/verify checks the
 * signature, the chain, SCTs, inclusion proofs, checkpoints and SETs; the thresholds make those
 * checks mandatory rather than optional: a certificate needs >= 1 timestamp (Rekor integrated
 * time or RFC 3161), >= 1 tlog entry and >= 1 SCT when the root has logs. A key bundle's tlog
 * entries are checked when present (model_signing key bundles have none).
 */
export function createSigstoreEntityVerifier(options: SigstoreVerifierOptions): SigstoreEntityVerifier {
  const root = options.trustedRoot;
  const key = options.publicKeyPem === undefined ? undefined : loadKey(options.publicKeyPem);
  const keyMode = key !== undefined;
  const material = buildMaterial(root, key);
  const identity: CompiledIdentity | undefined = keyMode ? undefined : compileIdentity(options.identity);
  const keyVerifier = new Verifier(material, { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 });
  const keyVerifierWithLog = new Verifier(material, {
    tlogThreshold: 1,
    ctlogThreshold: 0,
    timestampThreshold: 0,
  });
  const certVerifier = new Verifier(material, {
    tlogThreshold: root.tlogs.length > 0 ? 1 : 0,
    ctlogThreshold: root.ctlogs.length > 0 ? 1 : 0,
    timestampThreshold: 1,
  });

  return {
    verify(bundle, entity, parsedLeaf) {
      const isCert = entity.key.$case === 'certificate';
      if (keyMode && isCert) {
        throw new VerificationError({
          code: 'BUNDLE_NOT_KEY_SIGNED',
          message:
            'the bundle is signed with a certificate, but only public keys are trusted; check its signer identity instead',
        });
      }
      if (!keyMode && !isCert) {
        throw new UsageError({
          code: 'KEY_REQUIRED',
          message: 'the bundle is signed with a plain public key, and no public key is trusted',
          details: { role: 'verify' },
        });
      }
      // Without a timestamp @sigstore/verify dereferences an empty chain path (raw TypeError).
      if (isCert && entity.timestamps.length === 0) {
        throw new VerificationError({
          code: 'NO_TIMESTAMP',
          message:
            'the certificate bundle has no verifiable timestamp (no Rekor inclusion promise, no RFC 3161 timestamp), so its short-lived certificate cannot be checked',
        });
      }
      const verifier = isCert
        ? certVerifier
        : bundle.verificationMaterial.tlogEntries.length > 0
          ? keyVerifierWithLog
          : keyVerifier;
      let signer: ReturnType<Verifier['verify']>;
      const remembering = rememberingEntity(entity, parsedLeaf);
      try {
        signer = verifier.verify(remembering);
      } catch (e) {
        throw libraryFailure(e);
      }
      if (!isCert && key) return { kind: 'key', keyId: keyId(key) };
      // the remembering leaf: its validity dates are already parsed
      const info = certificateSigner(bundle, remembering, signer);
      if (identity) checkIdentity(identity, info);
      return info;
    },
  };
}

function loadKey(publicKeyPem: string): KeyObject {
  try {
    return createPublicKey(publicKeyPem);
  } catch (e) {
    throw new InputError({
      code: 'PUBLIC_KEY_INVALID',
      message: `the trusted public key is not a PEM public key: ${(e as Error).message}`,
      cause: e,
    });
  }
}

function buildMaterial(root: TrustedRoot, key: KeyObject | undefined): TrustMaterial {
  try {
    // cosign ignores the bundle's key hint when --key is given: the user's key is the only one.
    return withRememberedCertificates(
      toTrustMaterial(root, () => {
        if (!key) throw new UsageError({ code: 'KEY_REQUIRED', message: 'no public key given' });
        return { publicKey: key, validFor: () => true };
      }),
    );
  } catch (e) {
    throw new InputError({
      code: 'TRUST_ROOT_INVALID',
      message: `the trusted root holds a key or certificate that cannot be loaded: ${(e as Error).message}`,
      cause: e,
    });
  }
}

type CertificateSigner = Extract<SignerInfo, { kind: 'certificate' }>;

function certificateSigner(
  bundle: Bundle,
  entity: SignedEntity,
  signer: ReturnType<Verifier['verify']>,
): CertificateSigner {
  if (entity.key.$case !== 'certificate')
    throw new Error('unreachable: certificate signer without certificate');
  const cert = entity.key.certificate;
  let subject = '';
  // an empty subject (every Fulcio leaf) needs no second parse by node just to print it
  if (cert.subject.length > 0)
    try {
      const vm = bundle.verificationMaterial.content;
      const der =
        vm.$case === 'x509CertificateChain'
          ? vm.x509CertificateChain.certificates[0]?.rawBytes
          : vm.$case === 'certificate'
            ? vm.certificate.rawBytes
            : undefined;
      if (der) subject = new NodeX509(der).subject ?? '';
    } catch {
      // Fulcio leaves have an empty subject and node may refuse odd encodings; the SAN is what counts.
    }
  return {
    kind: 'certificate',
    subject,
    identity: signer.identity?.subjectAlternativeName,
    issuer: signer.identity?.extensions?.issuer,
    notBefore: cert.notBefore.toISOString(),
    notAfter: cert.notAfter.toISOString(),
  };
}

function libraryFailure(e: unknown): Error {
  if (isModelsealError(e)) return e;
  const code = (e as { code?: unknown }).code;
  const message = (e as Error)?.message ?? String(e);
  return new VerificationError({
    code: typeof code === 'string' ? `SIGSTORE_${code}` : 'SIGSTORE_VERIFY_FAILED',
    message: `Sigstore verification failed: ${message}`,
    cause: e,
  });
}
