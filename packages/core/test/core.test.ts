import { describe, expect, it } from 'vitest';
import { codeOf as code } from '../../../test/codes.ts';
import { fromBase64, fromHex, InputError, pae, parseJson, toHex, utf8 } from '../src/index.ts';

describe('pae', () => {
  it('matches the DSSE spec example', () => {
    const out = new TextDecoder().decode(pae('http://example.com/HelloWorld', utf8('hello world')));
    expect(out).toBe('DSSEv1 29 http://example.com/HelloWorld 11 hello world');
  });
  it('counts bytes, not characters', () => {
    expect(new TextDecoder().decode(pae('t', utf8('é')))).toBe('DSSEv1 1 t 2 é');
  });
});

describe('strict decoding', () => {
  it('rejects garbage base64 instead of skipping it', () => {
    expect(() => fromBase64('ab$c')).toThrow(InputError);
    expect(toHex(fromBase64('AAEC'))).toBe('000102');
  });
  it('decodes multi-MiB base64 (a 100,000-file OMS bundle) and keeps padding strict', () => {
    const big = Buffer.alloc(12 * 1024 * 1024, 7);
    expect(fromBase64(big.toString('base64')).byteLength).toBe(big.byteLength);
    expect(toHex(fromBase64('AQ=='))).toBe('01');
    for (const bad of ['A===', 'AQ=A', '====', 'AQ==AQ=='])
      expect(() => fromBase64(bad), bad).toThrow(InputError);
  });
  it('rejects odd-length hex', () => {
    expect(() => fromHex('abc')).toThrowError(expect.objectContaining({ code: 'BAD_HEX' }));
  });
});

describe('parseJson', () => {
  it('gives a code for each kind of bad JSON', () => {
    expect(code(() => parseJson('{"a":', 'bundle'))).toBe('JSON_MALFORMED');
    expect(code(() => parseJson('   ', 'bundle'))).toBe('JSON_EMPTY');
    expect(code(() => parseJson('[1,2,3]', 'bundle', { maxBytes: 3 }))).toBe('JSON_TOO_LARGE');
    expect(code(() => parseJson('['.repeat(100) + ']'.repeat(100), 'bundle'))).toBe('JSON_TOO_DEEP');
    expect(parseJson('{"a":[1]}', 'bundle')).toEqual({ a: [1] });
  });
});

describe('fromBase64 at scale', () => {
  it('decodes a 16 MiB payload without overflowing the stack, and still rejects garbage in it', () => {
    const big = Buffer.alloc(16 * 1024 * 1024, 7).toString('base64');
    expect(fromBase64(big).byteLength).toBe(16 * 1024 * 1024);
    expect(() => fromBase64(`${big.slice(0, 1000)}!${big.slice(1001)}`)).toThrow(InputError);
  });
});
