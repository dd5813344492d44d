import { ASN1Obj, X509Certificate as CoreCertificate, EXTENSION_OID_SCT } from '@sigstore/core';
import { describe, expect, it } from 'vitest';
import { copyAlong, encodeAgain, encodedOnce } from '../src/trust/asn1-memo.ts';
import { asn1Vectors, parsedBy } from './asn1-vectors.ts';

const nodes = (n: ASN1Obj): ASN1Obj[] => [n, ...n.subs.flatMap(nodes)];

/** what a read gives, or that it throws (message included) */
const read = (f: () => unknown) => {
  try {
    const v = f();
    return v instanceof Date ? `date ${v.getTime()}` : `value ${String(v)}`;
  } catch (e) {
    return `throws ${(e as Error).message}`;
  }
};

describe('memoised ASN.1 nodes read and encode as @sigstore/core does', () => {
  const ders = asn1Vectors().certificates;
  it('every node: OID, date, integer reads and the encoding equal the library parse', () => {
    expect(ders.length).toBeGreaterThan(20);
    const parsed = parsedBy((der) => ASN1Obj.parseBuffer(der), ders);
    expect(parsed.length).toBeGreaterThan(20);
    for (const lib of parsed) {
      const ours = encodedOnce(lib);
      expect(ours.toDER().equals(lib.toDER())).toBe(true);
      const [a, b] = [nodes(lib), nodes(ours)];
      expect(b.length).toBe(a.length);
      a.forEach((n, i) => {
        const m = b[i]!;
        for (let twice = 0; twice < 2; twice++) {
          expect(read(() => m.toOID())).toBe(read(() => n.toOID()));
          expect(read(() => m.toDate())).toBe(read(() => n.toDate()));
          expect(read(() => m.toInteger())).toBe(read(() => n.toInteger()));
          expect(m.toDER().equals(n.toDER())).toBe(true);
        }
      });
    }
  });

  it('a child with a longer-than-minimal length is re-encoded, as the library would', () => {
    // @sigstore/core's parser refuses such lengths; a tree laid over these bytes by hand stands
    // for a parser that would not: SEQUENCE { [1] IMPLICIT (tag 0x81), length 0x81 0x02 }. The
    // two bytes before the child's value read 0x81 0x02, its minimal header, yet the parent's
    // value is one byte longer than that child's minimal encoding.
    const bytes = Buffer.from([0x30, 0x05, 0x81, 0x81, 0x02, 0xaa, 0xbb]);
    const tag = (b: number[]) => ASN1Obj.parseBuffer(Buffer.from(b)).tag;
    const child = new ASN1Obj(tag([0x81, 0x00]), bytes.subarray(5), []);
    const tree = new ASN1Obj(tag([0x30, 0x00]), bytes.subarray(2), [child]);
    const canonical = Buffer.from([0x30, 0x04, 0x81, 0x02, 0xaa, 0xbb]);
    expect(tree.toDER().equals(canonical)).toBe(true);
    expect(encodeAgain(tree).equals(canonical)).toBe(true);
    expect(encodedOnce(tree).toDER().equals(canonical)).toBe(true);
  });

  it('a handed-out encoding or date is a copy: writing to it changes nothing kept', () => {
    const lib = CoreCertificate.parse(ders[0]!);
    const cert = new CoreCertificate(encodedOnce(lib.root));
    const der = cert.root.toDER();
    der[0] = 0x31;
    expect(cert.root.toDER().equals(lib.root.toDER())).toBe(true);
    const notBefore = cert.notBefore;
    notBefore.setTime(0);
    expect(cert.notBefore.getTime()).toBe(lib.notBefore.getTime());
  });

  it("remembering nodes' child lists are frozen: an edit throws instead of changing a kept encoding", () => {
    const root = encodedOnce(CoreCertificate.parse(ders[0]!).root);
    expect(() => root.subs.splice(0, 1)).toThrow(TypeError);
    expect(() => root.subs[0]!.subs.push(root)).toThrow(TypeError);
  });

  it("the SCT check's clone: editing its extension list encodes as the library's clone, original untouched", () => {
    let checked = 0;
    for (const lib of parsedBy((der) => CoreCertificate.parse(der), ders)) {
      const i = lib.extensions.findIndex((e) => e.subs[0]!.toOID() === EXTENSION_OID_SCT);
      if (i < 0) continue;
      checked++;
      const theirs = lib.clone();
      theirs.extensions.splice(i, 1);
      const root = encodedOnce(lib.root);
      const before = root.toDER();
      const tbs = root.subs[0]!;
      const at = tbs.subs.findIndex((s) => s.tag.isContextSpecific(0x03));
      const ours = new CoreCertificate(copyAlong(root, [0, at, 0]));
      ours.extensions.splice(i, 1);
      expect(ours.tbsCertificate.toDER().equals(theirs.tbsCertificate.toDER())).toBe(true);
      expect(root.toDER().equals(before)).toBe(true);
      // anything but the copied path is the original's frozen node
      expect(() => ours.extensions[0]!.subs.splice(0, 1)).toThrow(TypeError);
    }
    expect(checked).toBeGreaterThan(5);
  });
});
