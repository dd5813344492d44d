import { randomBytes } from 'node:crypto';
import { ByteStream, X509Certificate } from '@sigstore/core';
import { describe, expect, it, vi } from 'vitest';
import publicGoodJson from '../src/trust/public-good.trusted_root.json' with { type: 'json' };

/**
 * patches/@sigstore__core@4.0.1.patch: ByteStream.getUint8/getUint16 read in place rather than
 * through getBlock (a Buffer view per call), and appendUint16/appendUint24 write by shifts rather
 * than through two typed arrays. These tests pin both halves: the reads answer as getBlock would
 * (value, position, error), the writes give the bytes the typed-array form gave, the reads no
 * longer make views and the writes no typed arrays (the two checks an unpatched copy fails; the
 * others pass either way). An upgrade that changes the stream (or drops the patch) fails here.
 */
const failure = (f: () => unknown) => {
  try {
    return { value: f() };
  } catch (e) {
    return { error: `${(e as Error).constructor.name}: ${(e as Error).message}` };
  }
};

describe('patched @sigstore/core ByteStream reads', () => {
  it('getUint8 and getUint16 give what getBlock gives, up to and past the end', () => {
    for (const size of [0, 1, 2, 3, 17, 256]) {
      const bytes = randomBytes(size);
      for (const width of [1, 2] as const) {
        const patched = new ByteStream(bytes);
        const reference = new ByteStream(bytes);
        for (let i = 0; i <= size / width + 1; i++) {
          const got = failure(() => (width === 1 ? patched.getUint8() : patched.getUint16()));
          const want = failure(() => {
            const b = reference.getBlock(width);
            return width === 1 ? b[0] : ((b[0] as number) << 8) | (b[1] as number);
          });
          expect(got).toEqual(want);
          expect(patched.position).toBe(reference.position);
        }
      }
    }
  });

  it('appendUint16 and appendUint24 write the bytes the typed-array form wrote', () => {
    // the unpatched code, verbatim in effect: a little-endian typed array read backwards
    const le = (num: number, width: 2 | 3) => {
      const bytes = new Uint8Array((width === 2 ? new Uint16Array([num]) : new Uint32Array([num])).buffer);
      return width === 2 ? [bytes[1], bytes[0]] : [bytes[2], bytes[1], bytes[0]];
    };
    const values = [0, 1, 0x7f, 0x80, 0xff, 0x100, 0x1234, 0xffff, 0x10000, 0x123456, 0xffffff];
    for (const num of [...values, 0x1000000, 2 ** 32 + 5, -1, -300, 1.5, 65535.9, Number.NaN]) {
      for (const width of [2, 3] as const) {
        const stream = new ByteStream();
        if (width === 2) stream.appendUint16(num);
        else stream.appendUint24(num);
        expect([...stream.buffer]).toEqual(le(num, width));
      }
    }
  });

  it('reads without making a Buffer view per byte (the patch is applied)', () => {
    const stream = new ByteStream(Buffer.from([0x30, 0x82, 0x01, 0x00]));
    const views = vi.spyOn(Buffer.prototype, 'subarray');
    try {
      expect([stream.getUint8(), stream.getUint8(), stream.getUint16()]).toEqual([0x30, 0x82, 0x0100]);
      expect(views).not.toHaveBeenCalled();
    } finally {
      views.mockRestore();
    }
  });

  it('appends without making typed arrays (the patch is applied)', () => {
    // the unpatched appends construct a Uint16Array or Uint32Array per call; count constructions
    const made: string[] = [];
    const real = { Uint16Array, Uint32Array };
    for (const [name, Kind] of Object.entries(real))
      Reflect.set(
        globalThis,
        name,
        new Proxy(Kind, {
          construct(target, args) {
            made.push(name);
            return Reflect.construct(target, args);
          },
        }),
      );
    const stream = new ByteStream();
    try {
      stream.appendUint16(0x1234);
      stream.appendUint24(0x123456);
    } finally {
      Object.assign(globalThis, real);
    }
    expect(made).toEqual([]);
    expect([...stream.buffer]).toEqual([0x12, 0x34, 0x12, 0x34, 0x56]);
  });

  it('certificates still parse to the bytes they came from', () => {
    for (const ca of publicGoodJson.certificateAuthorities)
      for (const c of ca.certChain.certificates) {
        const der = Buffer.from(c.rawBytes, 'base64');
        expect(X509Certificate.parse(der).root.toDER().equals(der)).toBe(true);
      }
  });
});
