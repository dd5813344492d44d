import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { codeOf } from '../../../test/codes.ts';
import { ecPublicKey, p1363ToDer, rsaPublicKey } from '../src/index.ts';

const OID = {
  'P-256': '06082a8648ce3d030107',
  'P-384': '06052b81040022',
  'P-521': '06052b81040023',
} as const;

/** What a token reports for a key: CKA_EC_PARAMS and the point, DER-wrapped or bare. */
function reported(crv: keyof typeof OID) {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: crv });
  const jwk = publicKey.export({ format: 'jwk' });
  const point = Buffer.concat([
    Buffer.from([4]),
    Buffer.from(jwk.x as string, 'base64url'),
    Buffer.from(jwk.y as string, 'base64url'),
  ]);
  const len = point.length < 0x80 ? Buffer.from([point.length]) : Buffer.from([0x81, point.length]);
  const wrapped = Buffer.concat([Buffer.from([4]), len, point]);
  return { publicKey, privateKey, params: Buffer.from(OID[crv], 'hex'), point, wrapped };
}

describe('ecPublicKey', () => {
  it.each(['P-256', 'P-384', 'P-521'] as const)(
    '%s: the DER OCTET STRING form and the bare point give the same key',
    (crv) => {
      const r = reported(crv);
      expect(ecPublicKey(r.params, r.wrapped).equals(r.publicKey)).toBe(true);
      expect(ecPublicKey(r.params, r.point).equals(r.publicKey)).toBe(true);
    },
  );

  it('refuses other curves, truncated points and points off the curve, with codes', () => {
    const r = reported('P-256');
    expect(codeOf(() => ecPublicKey(Buffer.from('06052b8104000a', 'hex'), r.wrapped))).toBe(
      'KEY_ALGORITHM_UNSUPPORTED',
    );
    expect(codeOf(() => ecPublicKey(r.params, r.wrapped.subarray(0, 40)))).toBe('PKCS11_PUBLIC_KEY_INVALID');
    expect(codeOf(() => ecPublicKey(r.params, Buffer.alloc(0)))).toBe('PKCS11_PUBLIC_KEY_INVALID');
    const off = Buffer.from(r.point);
    off[64] = (off[64] as number) ^ 1;
    expect(codeOf(() => ecPublicKey(r.params, off))).toBe('PKCS11_PUBLIC_KEY_INVALID');
    // a compressed point is not what CKA_EC_POINT holds for these curves
    expect(
      codeOf(() => ecPublicKey(r.params, Buffer.concat([Buffer.from([2]), r.point.subarray(1, 33)]))),
    ).toBe('PKCS11_PUBLIC_KEY_INVALID');
  });
});

describe('rsaPublicKey', () => {
  it('reads modulus and exponent, leading zero bytes or not', () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = publicKey.export({ format: 'jwk' });
    const n = Buffer.concat([Buffer.from([0]), Buffer.from(jwk.n as string, 'base64url')]);
    const e = Buffer.from([0, 1, 0, 1]);
    expect(rsaPublicKey(n, e).equals(publicKey)).toBe(true);
    expect(codeOf(() => rsaPublicKey(Buffer.alloc(0), e))).toBe('PKCS11_PUBLIC_KEY_INVALID');
  });
});

describe('p1363ToDer', () => {
  it.each(['P-256', 'P-384', 'P-521'] as const)(
    '%s: turns r||s into the DER signature verifiers take',
    (crv) => {
      const { publicKey, privateKey } = reported(crv);
      for (let i = 0; i < 20; i++) {
        const data = Buffer.from(`message ${i}`);
        const raw = sign(null, data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
        const der = p1363ToDer(raw);
        expect(verify(null, data, publicKey, der)).toBe(true);
        // and back: DER of r and s with sign bits padded, read by Node as the same r||s
        expect(verify(null, data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, raw)).toBe(true);
      }
    },
  );

  it('refuses a signature that is not two halves', () => {
    expect(codeOf(() => p1363ToDer(Buffer.alloc(63)))).toBe('PKCS11_SIGNATURE_INVALID');
    expect(codeOf(() => p1363ToDer(Buffer.alloc(0)))).toBe('PKCS11_SIGNATURE_INVALID');
  });
});
