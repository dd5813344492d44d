/** Bundle-shaped JSON for store tests: the store files and filters, it never verifies. */
export const OMS = 'https://model_signing/signature/v1.0';
export const SLSA = 'https://slsa.dev/provenance/v1';

export function fakeBundle(predicateType: string, subjectHex: string, n = 0): Uint8Array {
  const stmt = {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'model', digest: { sha256: subjectHex } }],
    predicateType,
    predicate: { n },
  };
  const payload = Buffer.from(JSON.stringify(stmt)).toString('base64');
  return new TextEncoder().encode(
    JSON.stringify({
      mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
      verificationMaterial: { publicKey: { hint: 'x' } },
      dsseEnvelope: { payload, payloadType: 'application/vnd.in-toto+json', signatures: [{ sig: 'AA==' }] },
    }),
  );
}
