import { createHash } from 'node:crypto';
import {
  DigestMismatchError,
  IN_TOTO_PAYLOAD_TYPE,
  InputError,
  isRecord,
  pae,
  parseJson,
  toHex,
  UsageError,
  VerificationError,
} from '@modelseal/core';
import type { Bundle } from '@sigstore/bundle';
import { HashAlgorithm } from '@sigstore/protobuf-specs';
import { type SignedEntity, toSignedEntity } from '@sigstore/verify';
import type { SignerInfo } from '../types.ts';
import { withCurveHash } from './curve-hash.ts';
import { withoutStackTraces } from './fast-material.ts';
import { verifyPrehashed } from './prehashed.ts';
import { createSigstoreEntityVerifier, type SigstoreVerifierOptions } from './sigstore-verifier.ts';

/** What a blob signature is checked against: the bytes, or only their SHA-256 (`sha256:<hex>`). */
export type BlobArtifact =
  | { readonly kind: 'bytes'; readonly data: Uint8Array }
  | { readonly kind: 'digest'; readonly sha256: Uint8Array };

export type BlobVerifierOptions = SigstoreVerifierOptions;

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
 * cosign verify-blob: the Sigstore checks (see sigstore-verifier.ts) plus what @sigstore/verify
 * leaves to its caller, binding the signature to THIS artifact (message digest or DSSE subject).
 */
export function createBlobVerifier(options: BlobVerifierOptions): BlobVerifier {
  const core = createSigstoreEntityVerifier(options);
  return {
    verify(bundle, artifact) {
      const entity = signedEntity(bundle, artifact);
      // A message digest is plain data: a changed file is reported as such, before the
      // signature check would report it as a bad signature. DSSE payloads are read only once signed.
      const early = bundle.content.$case === 'messageSignature' ? bindArtifact(bundle, artifact) : undefined;
      const signer = core.verify(bundle, entity);
      return {
        ...(early ?? bindArtifact(bundle, artifact)),
        signer,
        tlogEntries: bundle.verificationMaterial.tlogEntries.length,
        timestamps: entity.timestamps.length,
      };
    },
  };
}

function signedEntity(bundle: Bundle, artifact: BlobArtifact): SignedEntity {
  let entity: SignedEntity;
  try {
    entity = withoutStackTraces(() =>
      toSignedEntity(bundle, artifact.kind === 'bytes' ? Buffer.from(artifact.data) : undefined),
    );
  } catch (e) {
    throw new InputError({
      code: 'BUNDLE_INVALID',
      message: `the bundle's certificate or timestamp cannot be parsed: ${(e as Error).message}`,
      cause: e,
    });
  }
  if (bundle.content.$case === 'dsseEnvelope') {
    const env = bundle.content.dsseEnvelope;
    return withCurveHash(entity, () => pae(env.payloadType, env.payload));
  }
  if (artifact.kind === 'bytes') return withCurveHash(entity, () => artifact.data);
  if (bundle.content.$case === 'messageSignature') {
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
