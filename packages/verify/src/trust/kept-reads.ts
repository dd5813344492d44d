/**
 * Getters of @sigstore/core's certificate and timestamp classes whose answers a remembering
 * object keeps. Each is a pure function of an ASN.1 tree that cannot change (asn1-memo.ts freezes
 * every child list), so the first answer is the answer; the library walks those trees on every
 * call, dozens of times per bundle (`find` over child lists, wrapper objects, OID and date
 * parses). None of them is a verdict: signatures, digests and validity against a time are still
 * computed by the library on every call. Values handed out as mutable bytes (public keys,
 * encodings) and Dates are not kept here: callers may write to those.
 */
import { type ASN1Obj, RFC3161Timestamp } from '@sigstore/core';
import { encodedOnce } from './asn1-memo.ts';

/** X509Certificate getters kept (extension wrappers are read-only views of frozen nodes) */
export const KEPT_CERTIFICATE_READS = [
  'tbsCertificateObj',
  'extensionsObj',
  'extensions',
  'signatureAlgorithm',
  'extBasicConstraints',
  'extKeyUsage',
  'extSubjectKeyID',
  'extAuthorityKeyID',
  'extSubjectAltName',
  'subjectAltName',
  'isCA',
] as const;

/** RFC3161Timestamp getters kept */
export const KEPT_TIMESTAMP_READS = [
  'timeStampTokenObj',
  'signedDataObj',
  'encapContentInfoObj',
  'signerInfosObj',
  'signerInfoObj',
  'eContentTypeObj',
  'eContentObj',
  'signedAttrsObj',
  'messageDigestAttributeObj',
  'signerSidObj',
  'contentType',
  'eContentType',
  'signerDigestAlgorithm',
  'signatureAlgorithm',
  'tstInfo',
] as const;

/** What keeps reads: a map per object (WeakMaps keyed by short-lived objects would keep their
 * entries, and everything they reach, until a full GC). */
export interface KeepsReads {
  readonly reads: Map<string, unknown>;
}

/**
 * Getter names the library no longer has (renamed in an upgrade): keepReads skips them, so the
 * library's own getter keeps working, and lists them here, so kept-reads.test.ts notices.
 */
export const MISSING_READS: string[] = [];

/**
 * Redefines each named getter of `base` on `target` (a prototype of KeepsReads objects) to keep
 * its first answer per object; a name `base` lacks goes to MISSING_READS.
 */
export function keepReads(target: object, base: object, names: readonly string[]): void {
  for (const name of names) {
    const get = Object.getOwnPropertyDescriptor(base, name)?.get;
    if (!get) {
      MISSING_READS.push(name);
      continue;
    }
    Object.defineProperty(target, name, {
      configurable: true,
      get(this: KeepsReads) {
        const reads = this.reads;
        const known = reads.get(name);
        if (known !== undefined || reads.has(name)) return known;
        const value: unknown = get.call(this);
        reads.set(name, value);
        return value;
      },
    });
  }
}

/** An RFC 3161 timestamp on a frozen, remembering tree that keeps its structural reads. */
export class RememberingTimestamp extends RFC3161Timestamp implements KeepsReads {
  readonly reads = new Map<string, unknown>();
  constructor(root: ASN1Obj) {
    super(encodedOnce(root));
  }
}

keepReads(RememberingTimestamp.prototype, RFC3161Timestamp.prototype, KEPT_TIMESTAMP_READS);
