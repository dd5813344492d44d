import { createHash, createPublicKey, X509Certificate as NodeX509 } from 'node:crypto';
import {
  DigestMismatchError,
  IN_TOTO_PAYLOAD_TYPE,
  InputError,
  isModelsealError,
  isRecord,
  parseJson,
  toHex,
  UsageError,
  VerificationError,
} from '@modelseal/core';
import type { Bundle } from '@sigstore/bundle';
import { HashAlgorithm, type TrustedRoot } from '@sigstore/protobuf-specs';
import {
  type SignedEntity,
  type TrustMaterial,
  toSignedEntity,
  toTrustMaterial,
  Verifier,
} from '@sigstore/verify';
import { type CompiledIdentity, checkIdentity, compileIdentity } from '../identity.ts';
import type { IdentityPolicy, SignerInfo } from '../types.ts';
import { verifyPrehashed } from './prehashed.ts';

/** What a blob signature is checked against: the bytes, or only their SHA-256 (`sha256:<hex>`). */
export type BlobArtifact =
  | { readonly kind: 'bytes'; readonly data: Uint8Array }
  | { readonly kind: 'digest'; readonly sha256: Uint8Array };

export interface BlobVerifierOptions {
  /** parsed and checked with parseTrustedRoot */
  readonly trustedRoot: TrustedRoot;
  /** PEM SPKI: key mode (cosign --key); otherwise certificates + identity policy */
  readonly publicKeyPem?: string;
  readonly identity?: IdentityPolicy;
}

export interface BlobVerification {
  readonly content: 'message-signature' | 'dsse';
  readonly signer: SignerInfo;
  /** DSSE only: the exact signed payload bytes and its type */
  readonly payload?: Uint8Array;
  readonly payloadType?: string;
  readonly tlogEntries: number;
  readonly timestamps: number;
}

export interface BlobVerifier {
  verify(bundle: Bundle, artifact: BlobArtifact): BlobVerification;
}

/**
 * cosign verify-blob over @sigstore/verify. Trust material and thresholds are built once. The
 * library checks signatures, chains, SCTs, inclusion proofs and checkpoints; what it does not do
 * is done here: bind the signature to THIS artifact (message digest or DSSE subject), anchor the
 * identity, and insist on a timestamp for certificates (else it throws a raw TypeError).
 */
export function createBlobVerifier(options: BlobVerifierOptions): BlobVerifier {
  const root = options.trustedRoot;
  const keyMode = options.publicKeyPem !== undefined;
  const material = buildMaterial(root, options.publicKeyPem);
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
    verify(bundle, artifact) {
      const entity = signedEntity(bundle, artifact);
      const isCert = entity.key.$case === 'certificate';
      if (keyMode && isCert) {
        throw new VerificationError({
          code: 'BUNDLE_NOT_KEY_SIGNED',
          message:
            'the bundle is signed with a certificate, but --key was given; drop --key to verify its identity',
        });
      }
      if (!keyMode && !isCert) {
        throw new UsageError({
          code: 'KEY_REQUIRED',
          message: 'the bundle is signed with a plain public key: pass the public key with --key',
        });
      }
      if (isCert && entity.timestamps.length === 0) {
        throw new VerificationError({
          code: 'NO_TIMESTAMP',
          message:
            'the certificate bundle has no verifiable timestamp (no Rekor inclusion promise, no RFC 3161 timestamp), so the short-lived certificate cannot be checked',
        });
      }
      const verifier = isCert
        ? certVerifier
        : bundle.verificationMaterial.tlogEntries.length
          ? keyVerifierWithLog
          : keyVerifier;
      let signer: ReturnType<Verifier['verify']>;
      try {
        signer = verifier.verify(entity);
      } catch (e) {
        throw libraryFailure(e);
      }
      const bound = bindArtifact(bundle, artifact);
      const info = isCert ? certificateSigner(bundle, entity, signer) : keySigner(options.publicKeyPem!);
      if (identity && info.kind === 'certificate') checkIdentity(identity, info);
      return {
        ...bound,
        signer: info,
        tlogEntries: bundle.verificationMaterial.tlogEntries.length,
        timestamps: entity.timestamps.length,
      };
    },
  };
}

function buildMaterial(root: TrustedRoot, publicKeyPem: string | undefined): TrustMaterial {
  let key: ReturnType<typeof createPublicKey> | undefined;
  if (publicKeyPem !== undefined) {
    try {
      key = createPublicKey(publicKeyPem);
    } catch (e) {
      throw new InputError({
        code: 'PUBLIC_KEY_INVALID',
        message: `the --key file is not a PEM public key: ${(e as Error).message}`,
        cause: e,
      });
    }
  }
  try {
    // cosign ignores the bundle's key hint when --key is given: the user's key is the only one.
    return toTrustMaterial(root, () => {
      if (!key) throw new VerificationError({ code: 'KEY_REQUIRED', message: 'no public key given' });
      return { publicKey: key, validFor: () => true };
    });
  } catch (e) {
    throw new InputError({
      code: 'TRUST_ROOT_INVALID',
      message: `the trusted root holds a key or certificate that cannot be loaded: ${(e as Error).message}`,
      cause: e,
    });
  }
}

function signedEntity(bundle: Bundle, artifact: BlobArtifact): SignedEntity {
  let entity: SignedEntity;
  try {
    entity = toSignedEntity(bundle, artifact.kind === 'bytes' ? Buffer.from(artifact.data) : undefined);
  } catch (e) {
    throw new InputError({
      code: 'BUNDLE_INVALID',
      message: `the bundle's certificate or timestamp cannot be parsed: ${(e as Error).message}`,
      cause: e,
    });
  }
  if (artifact.kind === 'digest' && bundle.content.$case === 'messageSignature') {
    const inner = entity.signature;
    const digest = artifact.sha256;
    entity = {
      ...entity,
      signature: {
        signature: inner.signature,
        compareSignature: (s) => inner.compareSignature(s),
        compareDigest: (d) => inner.compareDigest(d),
        compareSignedDigest: (d) => inner.compareSignedDigest(d),
        verifySignature: (k) => verifyPrehashed(k, digest, inner.signature),
      },
    };
  }
  return entity;
}

const NODE_HASH: Partial<Record<HashAlgorithm, string>> = {
  [HashAlgorithm.SHA2_256]: 'sha256',
  [HashAlgorithm.SHA2_384]: 'sha384',
  [HashAlgorithm.SHA2_512]: 'sha512',
};

function bindArtifact(
  bundle: Bundle,
  artifact: BlobArtifact,
): Pick<BlobVerification, 'content' | 'payload' | 'payloadType'> {
  switch (bundle.content.$case) {
    case 'messageSignature': {
      const md = bundle.content.messageSignature.messageDigest;
      if (md) {
        const alg = NODE_HASH[md.algorithm] ?? 'sha256';
        const actual =
          artifact.kind === 'bytes' ? createHash(alg).update(artifact.data).digest() : artifact.sha256;
        if (artifact.kind === 'digest' && alg !== 'sha256') {
          throw new UsageError({
            code: 'DIGEST_ONLY_UNSUPPORTED',
            message: `the bundle signs a ${alg} digest; pass the file instead of sha256:<hex>`,
          });
        }
        if (!Buffer.from(actual).equals(Buffer.from(md.digest)))
          throw mismatch(toHex(actual), [toHex(md.digest)]);
      }
      return { content: 'message-signature' };
    }
    case 'dsseEnvelope': {
      const env = bundle.content.dsseEnvelope;
      if (env.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
        throw new VerificationError({
          code: 'DSSE_PAYLOAD_TYPE',
          message: `the DSSE payloadType is ${JSON.stringify(env.payloadType)}; only in-toto statements (${IN_TOTO_PAYLOAD_TYPE}) can be bound to an artifact`,
        });
      }
      const want =
        artifact.kind === 'bytes'
          ? createHash('sha256').update(artifact.data).digest('hex')
          : toHex(artifact.sha256);
      const subjects = subjectDigests(
        parseJson(env.payload, 'DSSE in-toto statement', { maxBytes: 32 << 20 }),
      );
      if (!subjects.includes(want)) throw mismatch(want, subjects);
      return { content: 'dsse', payload: new Uint8Array(env.payload), payloadType: env.payloadType };
    }
    default:
      throw new InputError({ code: 'BUNDLE_INVALID', message: 'the bundle has no signature content' });
  }
}

function subjectDigests(statement: unknown): string[] {
  if (!isRecord(statement) || !Array.isArray(statement.subject)) {
    throw new InputError({
      code: 'STATEMENT_INVALID',
      message: 'the signed in-toto statement has no subject list',
    });
  }
  return statement.subject.flatMap((s) =>
    isRecord(s) && isRecord(s.digest) && typeof s.digest.sha256 === 'string'
      ? [s.digest.sha256.toLowerCase()]
      : [],
  );
}

function mismatch(actual: string, signed: string[]): DigestMismatchError {
  return new DigestMismatchError({
    code: 'ARTIFACT_DIGEST_MISMATCH',
    message: `the artifact's sha256 ${actual} is not what the bundle signed (${signed.join(', ') || 'no sha256 subject'}); wrong file or a tampered one`,
    details: { actual, signed },
  });
}

function certificateSigner(
  bundle: Bundle,
  entity: SignedEntity,
  signer: ReturnType<Verifier['verify']>,
): SignerInfo {
  if (entity.key.$case !== 'certificate')
    throw new Error('unreachable: certificate signer without certificate');
  const cert = entity.key.certificate;
  let subject = '';
  try {
    const vm = bundle.verificationMaterial.content;
    const der =
      vm.$case === 'x509CertificateChain'
        ? vm.x509CertificateChain.certificates[0]?.rawBytes
        : vm.$case === 'certificate'
          ? vm.certificate.rawBytes
          : undefined;
    if (der) subject = new NodeX509(der).subject;
  } catch {
    // Fulcio leaf certificates have an empty subject; node may refuse odd encodings: keep ''.
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

function keySigner(pem: string): SignerInfo {
  return { kind: 'key', keyId: createHash('sha256').update(pem).digest('hex') };
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
