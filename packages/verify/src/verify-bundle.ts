import { type KeyObject, X509Certificate } from 'node:crypto';
import { LEGACY_PREDICATE_TYPE, parseStatement } from '@modelseal/attest';
import {
  InputError,
  isModelsealError,
  pae,
  sha256Hex,
  UsageError,
  utf8,
  VerificationError,
} from '@modelseal/core';
import { keyId, verifyBytes } from '@modelseal/keys';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { type SignedEntity, toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';
import { type BundleKeyMaterial, type ParsedBundle, parseBundle } from './bundle.ts';
import { identityFields } from './cert-fields.ts';
import { verifyChain } from './chain.ts';
import { describeSigner } from './describe.ts';
import { checkOptionalIdentity } from './identity.ts';
import { verifyKeyAtSigningTime } from './key-window.ts';
import { verifySigstoreBundle } from './trust/sigstore-statement.ts';
import { trustedKey } from './trusted-keys.ts';
import type { IdentityPolicy, SignerInfo, TrustConfig, VerifiedStatement } from './types.ts';

export interface VerifyBundleOptions {
  /** bundle file bytes (preferred: exact bytes are hashed into bundleDigest) or parsed JSON */
  readonly bundle: Uint8Array | unknown;
  readonly trust: TrustConfig;
  readonly identity?: IdentityPolicy;
  /** when certificates must be valid; defaults to the current time */
  readonly now?: Date;
}

/** Key and certificate-root modes carry no transparency log or timestamps to check. */
const EMPTY_ROOT: TrustedRoot = TrustedRoot.fromJSON({
  mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
  tlogs: [],
  certificateAuthorities: [],
  ctlogs: [],
  timestampAuthorities: [],
});

const NO_WITNESS = { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 } as const;

interface Resolved {
  readonly key: KeyObject;
  readonly hint: string;
  readonly signer: SignerInfo;
  /** the chain's verified leaf, for certificate-roots trust */
  readonly leaf?: X509Certificate;
}

export async function verifyBundle(options: VerifyBundleOptions): Promise<VerifiedStatement> {
  const { bundle: input, trust } = options;
  const parsed = parseBundle(input);
  const bytes = input instanceof Uint8Array ? input : utf8(JSON.stringify(input));
  if (trust.kind === 'sigstore') {
    // Sigstore bundles carry their own evidence (tlog, SCTs, timestamps): checked in trust/.
    // parseBundle's OpenSSL parse of the leaf lends its key (the leaf is parsed once, not twice)
    const leaf = parsed.material.kind === 'chain' ? parsed.material.certificates[0] : undefined;
    const signer = verifySigstoreBundle(parsed.bundle, trust.trustedRoot, options.identity, leaf);
    const statement = parseStatement(parsed.payload);
    return { payload: parsed.payload, statement, signer, bundleDigest: sha256Hex(bytes) };
  }
  const resolved = resolveSigner(parsed.material, trust, options.now ?? new Date());
  if (options.identity && resolved.leaf) {
    const f = identityFields(resolved.leaf);
    checkOptionalIdentity(options.identity, { identity: f.san, issuer: f.oidcIssuer });
  }
  const timestamped = trust.kind === 'keys' ? trust.timestamps : undefined;
  const entity = signedEntity(parsed, resolved.hint, timestamped !== undefined);
  try {
    if (timestamped) verifyKeyAtSigningTime(entity, resolved.key, resolved.hint, timestamped);
    else {
      const material = toTrustMaterial(EMPTY_ROOT, (hint) => {
        if (hint !== resolved.hint)
          throw new VerificationError({ code: 'KEY_NOT_TRUSTED', message: 'unexpected key' });
        return { publicKey: resolved.key, validFor: () => true };
      });
      new Verifier(material, NO_WITNESS).verify(entity);
    }
  } catch (e) {
    throw mapSigstoreError(e, resolved.signer);
  }
  const statement = parseStatement(parsed.payload);
  return { payload: parsed.payload, statement, signer: resolved.signer, bundleDigest: sha256Hex(bytes) };
}

function resolveSigner(material: BundleKeyMaterial, trust: TrustConfig, now: Date): Resolved {
  switch (trust.kind) {
    case 'keys': {
      if (material.kind === 'chain') {
        throw new VerificationError({
          code: 'TRUST_MODE_MISMATCH',
          message:
            'the bundle was signed with a certificate, and only public keys are trusted; it needs the root CA it chains to',
          details: { signedWith: 'certificate' },
        });
      }
      const keys = trust.publicKeys.map(trustedKey);
      const wanted = material.kind === 'hint' ? material.hint : keyId(material.key);
      const key = keys.find((k) => k.id === wanted)?.key;
      if (!key) {
        throw new VerificationError({
          code: 'KEY_NOT_TRUSTED',
          message: `the bundle was signed by key ${wanted.slice(0, 16)}…, which is none of the ${keys.length} trusted public key(s)`,
          details: { keyId: wanted },
        });
      }
      return { key, hint: wanted, signer: { kind: 'key', keyId: wanted } };
    }
    case 'certificate-roots': {
      if (material.kind !== 'chain') {
        throw new VerificationError({
          code: 'TRUST_MODE_MISMATCH',
          message: 'the bundle was signed with a bare key, not a certificate; it needs the public key',
          details: { signedWith: 'key' },
        });
      }
      const roots = trust.rootCertificates.flatMap(parseRoots);
      const path = verifyChain(material.certificates, roots, now);
      const leaf = path[0] as X509Certificate;
      return { key: leaf.publicKey, hint: leaf.fingerprint256, signer: certificateSigner(leaf), leaf };
    }
    case 'sigstore':
      throw new UsageError({
        code: 'INTERNAL_TRUST_ROUTING',
        message: 'Sigstore trust is verified by verifySigstoreBundle, not by key resolution',
      });
    default:
      return trust satisfies never;
  }
}

function parseRoots(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) {
    throw new InputError({
      code: 'CERTIFICATE_ROOT_INVALID',
      message: 'the trusted root certificates hold no PEM certificate',
    });
  }
  return blocks.map((b) => {
    try {
      return new X509Certificate(b);
    } catch {
      throw new InputError({
        code: 'CERTIFICATE_ROOT_INVALID',
        message: 'a trusted root certificate cannot be parsed',
      });
    }
  });
}

function certificateSigner(leaf: X509Certificate): SignerInfo {
  return {
    kind: 'certificate',
    subject: leaf.subject.replace(/\n/g, ', '),
    ...(leaf.subjectAltName ? { identity: leaf.subjectAltName } : {}),
    issuer: leaf.issuer.replace(/\n/g, ', '),
    notBefore: new Date(leaf.validFrom).toISOString(),
    notAfter: new Date(leaf.validTo).toISOString(),
  };
}

/**
 * @sigstore/verify drives the checks; we give it the resolved key (as a hint it looks up) and a
 * signature check that uses the curve's hash (and, when asked, the bundle's TSA timestamps). model_signing 0.2 signed a buggy PAE with SHA-256;
 * that form is accepted only for its own legacy predicate type.
 */
function signedEntity(parsed: ParsedBundle, hint: string, withTimestamps: boolean): SignedEntity {
  const base = toSignedEntity(parsed.bundle);
  const sig = base.signature.signature;
  const legacy = isLegacyPayload(parsed.payload);
  return {
    ...base,
    key: { $case: 'public-key', hint },
    tlogEntries: [],
    // RFC 3161 only: log entries' integrated times are not verified for keys (no tlog trusted)
    timestamps: withTimestamps ? base.timestamps.filter((t) => t.$case === 'timestamp-authority') : [],
    signature: {
      signature: sig,
      compareSignature: (s) => base.signature.compareSignature(s),
      compareDigest: (d) => base.signature.compareDigest(d),
      compareSignedDigest: (d) => base.signature.compareSignedDigest(d),
      verifySignature: (key) =>
        verifyBytes(key, pae(parsed.payloadType, parsed.payload), sig) ||
        (legacy && verifyBytes(key, legacyPae(parsed.payload), sig, 'sha256')),
    },
  };
}

/** A substring test, not a parse: the payload can be megabytes, and the signature decides anyway. */
function isLegacyPayload(payload: Uint8Array): boolean {
  return Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).includes(
    `"${LEGACY_PREDICATE_TYPE}"`,
  );
}

/** model_signing 0.2's PAE: Python formatted the payload bytes with repr() into "DSSEV1 ...". */
function legacyPae(payload: Uint8Array): Uint8Array {
  // repr() switches to double quotes when the bytes hold ' but no "
  const quote = payload.includes(0x27) && !payload.includes(0x22) ? '"' : "'";
  let repr = '';
  for (const c of payload) {
    if (c === 0x5c) repr += '\\\\';
    else if (c === quote.charCodeAt(0)) repr += `\\${quote}`;
    else if (c === 0x09) repr += '\\t';
    else if (c === 0x0a) repr += '\\n';
    else if (c === 0x0d) repr += '\\r';
    else if (c < 0x20 || c >= 0x7f) repr += `\\x${c.toString(16).padStart(2, '0')}`;
    else repr += String.fromCharCode(c);
  }
  const type = 'application/vnd.in-toto+json';
  return utf8(`DSSEV1 ${type.length} ${type} ${payload.byteLength} b${quote}${repr}${quote}`);
}

function mapSigstoreError(e: unknown, signer: SignerInfo): Error {
  if (isModelsealError(e)) return e;
  const code = (e as { code?: string }).code;
  const who = describeSigner(signer);
  if (code === 'SIGNATURE_ERROR') {
    return new VerificationError({
      code: 'SIGNATURE_INVALID',
      message: `the signature does not verify with ${who}: the statement or signature was altered, or another key signed it`,
    });
  }
  return new VerificationError({
    code: 'VERIFICATION_FAILED',
    message: `signature verification failed: ${(e as Error).message}`,
    cause: e,
  });
}
