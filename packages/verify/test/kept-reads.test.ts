import { ASN1Obj, X509Certificate as CoreCertificate, RFC3161Timestamp } from '@sigstore/core';
import { describe, expect, it } from 'vitest';
import { encodedOnce } from '../src/trust/asn1-memo.ts';
// registers its own kept reads (the SCT clone's, findExtension): MISSING_READS must cover them
import '../src/trust/fast-material.ts';
import {
  KEPT_CERTIFICATE_READS,
  KEPT_TIMESTAMP_READS,
  keepReads,
  MISSING_READS,
  RememberingTimestamp,
} from '../src/trust/kept-reads.ts';
import { asn1Vectors, parsedBy } from './asn1-vectors.ts';

/** a comparable form of any read: nodes and wrappers by their DER, lists element-wise */
function shape(v: unknown): unknown {
  if (v instanceof ASN1Obj) return `der ${v.toDER().toString('hex')}`;
  if (Array.isArray(v)) return v.map(shape);
  if (v instanceof Date) return `date ${v.getTime()}`;
  if (typeof v === 'bigint') return `bigint ${v}`;
  if (v && typeof v === 'object') {
    const root = (v as { root?: unknown }).root;
    if (root instanceof ASN1Obj) return `${v.constructor.name} ${root.toDER().toString('hex')}`;
  }
  return v;
}
const read = (o: object, name: string) => {
  try {
    return shape(Reflect.get(o, name));
  } catch (e) {
    return `throws ${(e as Error).message}`;
  }
};

class KeptCertificate extends CoreCertificate {
  readonly reads = new Map<string, unknown>();
}
keepReads(KeptCertificate.prototype, CoreCertificate.prototype, KEPT_CERTIFICATE_READS);

describe('kept structural reads (kept-reads.ts)', () => {
  it('every kept getter still exists in @sigstore/core (an upgrade that renames one fails here)', () => {
    expect(MISSING_READS).toEqual([]);
  });

  it('answer as the library does, twice, for every certificate and timestamp at hand', () => {
    const { certificates, timestamps } = asn1Vectors();
    expect(certificates.length).toBeGreaterThan(20);
    expect(timestamps.length).toBeGreaterThan(3);
    const compare = (lib: object, kept: object, names: readonly string[]) => {
      for (const name of names) {
        const want = read(lib, name);
        expect(read(kept, name)).toEqual(want);
        expect(read(kept, name)).toEqual(want);
      }
    };
    for (const lib of parsedBy((der) => CoreCertificate.parse(der), certificates))
      compare(lib, new KeptCertificate(encodedOnce(lib.root)), KEPT_CERTIFICATE_READS);
    for (const der of timestamps) {
      const lib = RFC3161Timestamp.parse(der);
      compare(lib, new RememberingTimestamp(lib.root), KEPT_TIMESTAMP_READS);
    }
  });
});
