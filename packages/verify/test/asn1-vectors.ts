import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SHARED_VECTORS } from '../../../test/shared-vectors.ts';
import publicGoodJson from '../src/trust/public-good.trusted_root.json' with { type: 'json' };

/**
 * The DER that the ASN.1 tests (asn1-memo, kept-reads, fast-material) compare with
 * @sigstore/core: every certificate of the public-good root, and every conformance case's root
 * certificates, leaf and RFC 3161 tokens. Some are broken on purpose (see parsedBy).
 */
export interface Asn1Vectors {
  readonly certificates: Buffer<ArrayBuffer>[];
  readonly timestamps: Buffer<ArrayBuffer>[];
}

const CASES = `${SHARED_VECTORS}/sigstore-conformance/bundle-verify`;

interface RootJson {
  readonly certificateAuthorities?: readonly { certChain: { certificates: { rawBytes: string }[] } }[];
  readonly timestampAuthorities?: readonly { certChain: { certificates: { rawBytes: string }[] } }[];
}

export function asn1Vectors(): Asn1Vectors {
  const certificates: Buffer<ArrayBuffer>[] = [];
  const timestamps: Buffer<ArrayBuffer>[] = [];
  const fromRoot = (root: RootJson) => {
    for (const ca of [...(root.certificateAuthorities ?? []), ...(root.timestampAuthorities ?? [])])
      for (const c of ca.certChain.certificates) certificates.push(Buffer.from(c.rawBytes, 'base64'));
  };
  fromRoot(publicGoodJson);
  if (existsSync(CASES))
    for (const d of readdirSync(CASES)) {
      const dir = join(CASES, d);
      try {
        if (existsSync(join(dir, 'trusted_root.json')))
          fromRoot(JSON.parse(readFileSync(join(dir, 'trusted_root.json'), 'utf8')));
        const vm = JSON.parse(readFileSync(join(dir, 'bundle.sigstore.json'), 'utf8')).verificationMaterial;
        if (typeof vm?.certificate?.rawBytes === 'string')
          certificates.push(Buffer.from(vm.certificate.rawBytes, 'base64'));
        for (const t of vm?.timestampVerificationData?.rfc3161Timestamps ?? [])
          timestamps.push(Buffer.from(t.signedTimestamp, 'base64'));
      } catch {
        // not a directory with JSON files (malformed cases are the CLI's to reject)
      }
    }
  return { certificates, timestamps };
}

/** What `parse` makes of each DER it accepts: broken-on-purpose vectors, refused before any read, are left out. */
export function parsedBy<T>(
  parse: (der: Buffer<ArrayBuffer>) => T,
  ders: readonly Buffer<ArrayBuffer>[],
): T[] {
  const out: T[] = [];
  for (const der of ders) {
    try {
      out.push(parse(der));
    } catch {
      // refused by the library
    }
  }
  return out;
}
