import { describe, expect, it } from 'vitest';
import { codeOf, kindCodeOf } from '../../../test/codes.ts';
import {
  describePkcs11Uri,
  isPkcs11Uri,
  MAX_URI_LENGTH,
  parsePkcs11KeyUri,
  parsePkcs11Uri,
} from '../src/index.ts';

describe('parsePkcs11Uri: what model_signing and cosign users write', () => {
  it('reads the path and the query, percent-decoding each value once', () => {
    const uri = parsePkcs11Uri(
      'pkcs11:token=Release%20Token;object=signing%2Dkey;id=%01%ff;slot-id=7;type=private' +
        '?pin-source=file:/run/secrets/pin&module-path=/usr/lib/softhsm/libsofthsm2.so',
    );
    expect(uri).toEqual({
      token: 'Release Token',
      object: 'signing-key',
      id: Uint8Array.from([1, 255]),
      slotId: 7,
      type: 'private',
      pin: { kind: 'file', path: '/run/secrets/pin' },
      modulePath: '/usr/lib/softhsm/libsofthsm2.so',
    });
    expect(Object.isFrozen(uri)).toBe(true);
  });

  it('takes the scheme in any case, UTF-8 labels, every standard path attribute and library-version M.N', () => {
    const uri = parsePkcs11Uri(
      'PKCS11:token=caf%C3%A9;manufacturer=SoftHSM%20project;model=SoftHSM%20v2;serial=8a1b;' +
        'slot-description=S;slot-manufacturer=M;library-description=L;library-manufacturer=LM;library-version=2.6;object=k',
    );
    expect(uri.token).toBe('café');
    expect(uri.libraryVersion).toEqual({ major: 2, minor: 6 });
    expect(uri.serial).toBe('8a1b');
    expect(parsePkcs11Uri('pkcs11:library-version=3').libraryVersion).toEqual({ major: 3, minor: 0 });
  });

  it('reads pin-value, module-name and the forms of pin-source model_signing reads', () => {
    expect(parsePkcs11Uri('pkcs11:object=k?pin-value=12%2634').pin).toEqual({
      kind: 'value',
      value: '12&34',
    });
    expect(parsePkcs11Uri('pkcs11:object=k?module-name=softhsm2').moduleName).toBe('softhsm2');
    for (const source of ['file:/p/pin', 'file:///p/pin', 'file://localhost/p/pin', '/p/pin']) {
      expect(parsePkcs11Uri(`pkcs11:object=k?pin-source=${source}`).pin).toEqual({
        kind: 'file',
        path: '/p/pin',
      });
    }
    expect(parsePkcs11Uri('pkcs11:').pin).toEqual({ kind: 'none' });
    // RFC 7512's query may be empty
    expect(parsePkcs11Uri('pkcs11:object=k?').object).toBe('k');
  });

  it('says whether a --key value is a URI at all', () => {
    expect(isPkcs11Uri('pkcs11:object=k')).toBe(true);
    expect(isPkcs11Uri('Pkcs11:object=k')).toBe(true);
    expect(isPkcs11Uri('./pkcs11:key.pem')).toBe(false);
    expect(isPkcs11Uri('release.key')).toBe(false);
  });
});

describe('parsePkcs11Uri: hostile and malformed input, each with its code', () => {
  const cases: [string, string][] = [
    ['not a uri', 'PKCS11_URI_INVALID'],
    ['pkcs11:token=a;token=b', 'PKCS11_URI_ATTRIBUTE_REPEATED'],
    ['pkcs11:object=k?pin-value=1&pin-value=2', 'PKCS11_URI_ATTRIBUTE_REPEATED'],
    ['pkcs11:object=k?pin-value=1&pin-source=/p', 'PKCS11_URI_PIN_CONFLICT'],
    ['pkcs11:objec=k', 'PKCS11_URI_ATTRIBUTE_UNKNOWN'],
    ['pkcs11:Object=k', 'PKCS11_URI_ATTRIBUTE_UNKNOWN'],
    ['pkcs11:x-vendor=1;object=k', 'PKCS11_URI_ATTRIBUTE_UNKNOWN'],
    ['pkcs11:object=k?x-vendor=1', 'PKCS11_URI_ATTRIBUTE_UNKNOWN'],
    ['pkcs11:object=k?pin=1', 'PKCS11_URI_ATTRIBUTE_UNKNOWN'],
    ['pkcs11:object', 'PKCS11_URI_INVALID'],
    ['pkcs11:object=k;', 'PKCS11_URI_INVALID'],
    ['pkcs11:;object=k', 'PKCS11_URI_INVALID'],
    ['pkcs11:object=k?pin-value=1&&module-name=a', 'PKCS11_URI_INVALID'],
    ['pkcs11:=k', 'PKCS11_URI_INVALID'],
    ['pkcs11:ob ject=k', 'PKCS11_URI_INVALID'],
    ['pkcs11:object=a b', 'PKCS11_URI_INVALID'],
    ['pkcs11:object=a/b', 'PKCS11_URI_INVALID'],
    ['pkcs11:object=a"b', 'PKCS11_URI_INVALID'],
    ['pkcs11:object=k#frag', 'PKCS11_URI_INVALID'],
    ['pkcs11:object=%zz', 'PKCS11_URI_INVALID'],
    ['pkcs11:object=%4', 'PKCS11_URI_INVALID'],
    ['pkcs11:object=%', 'PKCS11_URI_INVALID'],
    ['pkcs11:object=%C3%28', 'PKCS11_URI_INVALID'],
    ['pkcs11:object=%ED%A0%80', 'PKCS11_URI_INVALID'],
    ['pkcs11:object=a%00b', 'PKCS11_URI_INVALID'],
    ['pkcs11:object=a%0Ab', 'PKCS11_URI_INVALID'],
    [
      'pkcs11:token=%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41',
      'PKCS11_URI_INVALID',
    ],
    ['pkcs11:slot-id=-1', 'PKCS11_URI_INVALID'],
    ['pkcs11:slot-id=1e3', 'PKCS11_URI_INVALID'],
    ['pkcs11:slot-id=4294967296', 'PKCS11_URI_INVALID'],
    ['pkcs11:slot-id=', 'PKCS11_URI_INVALID'],
    ['pkcs11:library-version=1.2.3', 'PKCS11_URI_INVALID'],
    ['pkcs11:library-version=256', 'PKCS11_URI_INVALID'],
    ['pkcs11:type=secret', 'PKCS11_URI_INVALID'],
    ['pkcs11:object=k?module-path=lib/softhsm2.so', 'PKCS11_URI_INVALID'],
    ['pkcs11:object=k?module-name=../evil', 'PKCS11_URI_INVALID'],
    ['pkcs11:object=k?module-name=a%2Fb', 'PKCS11_URI_INVALID'],
    ['pkcs11:object=k?pin-source=pin.txt', 'PKCS11_PIN_SOURCE_UNSUPPORTED'],
    ['pkcs11:object=k?pin-source=file:pin.txt', 'PKCS11_PIN_SOURCE_UNSUPPORTED'],
    ['pkcs11:object=k?pin-source=file://host.example/pin', 'PKCS11_PIN_SOURCE_UNSUPPORTED'],
    ['pkcs11:object=k?pin-source=|/bin/cat%20/etc/pin', 'PKCS11_PIN_SOURCE_UNSUPPORTED'],
    ['pkcs11:object=k?pin-source=https://pins.example/p', 'PKCS11_PIN_SOURCE_UNSUPPORTED'],
    ['pkcs11:object=k?pin-source=env:PIN', 'PKCS11_PIN_SOURCE_UNSUPPORTED'],
  ];
  it.each(cases)('%s -> %s', (text, code) => {
    expect(kindCodeOf(() => parsePkcs11Uri(text))).toBe(`usage:${code}`);
  });

  it('refuses overlong input before parsing it', () => {
    expect(codeOf(() => parsePkcs11Uri(`pkcs11:object=${'a'.repeat(MAX_URI_LENGTH)}`))).toBe(
      'PKCS11_URI_INVALID',
    );
    // and a long but legal object label is fine: CKA_LABEL has no fixed size
    expect(parsePkcs11Uri(`pkcs11:object=${'a'.repeat(1000)}`).object).toHaveLength(1000);
  });

  it('never puts a PIN into a message', () => {
    const secret = 'S3cr3tPIN';
    for (const text of [
      `pkcs11:object=k?pin-value=${secret}&pin-source=/p`,
      `pkcs11:object=k?pin-value=${secret}&pin-value=${secret}`,
      `pkcs11:object=k?pin-value=${secret}%zz`,
      `pkcs11:object=k?pin-value=${secret}&bogus=1`,
      `pkcs11:object=k?pin-value=${secret}&module-path=rel`,
    ]) {
      let message = '';
      try {
        parsePkcs11Uri(text);
      } catch (e) {
        message = JSON.stringify({ m: (e as Error).message, d: (e as { details?: unknown }).details });
      }
      expect(message).not.toBe('');
      expect(message).not.toContain(secret);
    }
  });
});

describe('parsePkcs11KeyUri: a URI that names a signing key', () => {
  it('needs an object label or id, and only a private key will do', () => {
    expect(codeOf(() => parsePkcs11KeyUri('pkcs11:token=t?pin-value=1'))).toBe('PKCS11_URI_OBJECT_REQUIRED');
    expect(codeOf(() => parsePkcs11KeyUri('pkcs11:token=t;object=k;type=cert'))).toBe(
      'PKCS11_URI_TYPE_UNSUPPORTED',
    );
    expect(parsePkcs11KeyUri('pkcs11:id=%02').id).toEqual(Uint8Array.from([2]));
    expect(parsePkcs11KeyUri('pkcs11:object=k;type=private').object).toBe('k');
  });
});

describe('describePkcs11Uri', () => {
  it('shows what selects the key and leaves the query (PIN, module) out; it parses back to the same path', () => {
    const uri = parsePkcs11Uri(
      'pkcs11:token=My%20Token;object=k%3B1;id=%0A%ff?pin-value=1234&module-name=softhsm2',
    );
    const text = describePkcs11Uri(uri);
    expect(text).toBe('pkcs11:token=My%20Token;object=k%3b1;id=%0a%ff');
    expect(text).not.toContain('1234');
    const back = parsePkcs11Uri(text);
    expect([back.token, back.object, back.id]).toEqual([uri.token, uri.object, uri.id]);
  });
});
