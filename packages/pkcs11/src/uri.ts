import { UsageError } from '@modelseal/core';

/**
 * RFC 7512 PKCS#11 URIs, as model_signing and cosign take them for a key:
 * `pkcs11:token=Release;object=signing-key?pin-source=file:/run/secrets/pin&module-path=/usr/lib/…`.
 *
 * Strict on purpose: a signing key is selected by this text, so anything that could make two
 * readers pick different objects is refused (unknown or vendor attributes, repeats, stray
 * characters, bad percent-encoding, invalid UTF-8) instead of being skipped. Pure: no fs, no env.
 * Messages name the attribute and the problem, never a value: the query may hold a PIN.
 */
export type Pkcs11ObjectType = 'public' | 'private' | 'cert' | 'secret-key' | 'data';

export type PinSpec =
  | { readonly kind: 'none' }
  | { readonly kind: 'value'; readonly value: string }
  /** pin-source=file:/abs/path (or a bare absolute path, as model_signing reads it) */
  | { readonly kind: 'file'; readonly path: string };

export interface Pkcs11Uri {
  readonly token?: string;
  readonly manufacturer?: string;
  readonly model?: string;
  readonly serial?: string;
  readonly slotId?: number;
  readonly slotDescription?: string;
  readonly slotManufacturer?: string;
  readonly libraryDescription?: string;
  readonly libraryManufacturer?: string;
  readonly libraryVersion?: { readonly major: number; readonly minor: number };
  /** CKA_LABEL */
  readonly object?: string;
  /** CKA_ID, raw bytes */
  readonly id?: Uint8Array;
  readonly type?: Pkcs11ObjectType;
  readonly pin: PinSpec;
  readonly modulePath?: string;
  readonly moduleName?: string;
}

/** Far longer than any real URI; a bound so hostile input is refused before any work. */
export const MAX_URI_LENGTH = 4096;

type Text = Exclude<
  keyof Pkcs11Uri,
  'slotId' | 'libraryVersion' | 'id' | 'type' | 'pin' | 'modulePath' | 'moduleName'
>;

/** Path attributes that are text, with the CK_*_INFO field size (bytes) they are compared with. */
const TEXT_PATH: Record<string, { readonly field: Text; readonly max?: number }> = {
  token: { field: 'token', max: 32 },
  manufacturer: { field: 'manufacturer', max: 32 },
  model: { field: 'model', max: 16 },
  serial: { field: 'serial', max: 16 },
  'slot-description': { field: 'slotDescription', max: 64 },
  'slot-manufacturer': { field: 'slotManufacturer', max: 32 },
  'library-description': { field: 'libraryDescription', max: 32 },
  'library-manufacturer': { field: 'libraryManufacturer', max: 32 },
  object: { field: 'object' },
};
const OTHER_PATH = new Set(['id', 'slot-id', 'library-version', 'type']);
const QUERY = new Set(['pin-source', 'pin-value', 'module-name', 'module-path']);
const TYPES = new Set<string>(['public', 'private', 'cert', 'secret-key', 'data']);

const NAME = /^[A-Za-z0-9_-]+$/;
/** RFC 7512 pk11-pchar and pk11-qchar, before percent-decoding */
const PATH_VALUE = /^(?:[A-Za-z0-9\-._~:[\]@!$'()*+,=&]|%[0-9A-Fa-f]{2})*$/;
const QUERY_VALUE = /^(?:[A-Za-z0-9\-._~:[\]@!$'()*+,=/?|]|%[0-9A-Fa-f]{2})*$/;

export function isPkcs11Uri(text: string): boolean {
  return /^pkcs11:/i.test(text);
}

export function parsePkcs11Uri(text: string): Pkcs11Uri {
  if (typeof text !== 'string' || !isPkcs11Uri(text)) throw invalid('does not start with "pkcs11:"');
  if (text.length > MAX_URI_LENGTH) throw invalid(`is longer than ${MAX_URI_LENGTH} characters`);
  if (text.includes('#')) throw invalid('has a fragment ("#"), which RFC 7512 does not allow');
  const body = text.slice('pkcs11:'.length);
  const q = body.indexOf('?');
  const path = q < 0 ? body : body.slice(0, q);
  const query = q < 0 ? undefined : body.slice(q + 1);

  const out: { -readonly [K in keyof Pkcs11Uri]: Pkcs11Uri[K] } = { pin: { kind: 'none' } };
  const seen = new Set<string>();
  for (const [name, raw] of attributes(path, ';', 'path')) {
    once(seen, name, 'path');
    if (!PATH_VALUE.test(raw)) throw badChars(name);
    const known = TEXT_PATH[name];
    if (known) {
      const bytes = percentDecode(raw, name);
      if (known.max !== undefined && bytes.length > known.max) {
        throw invalid(`attribute "${name}" is longer than the ${known.max} bytes a token reports`, name);
      }
      out[known.field] = utf8(bytes, name);
    } else if (name === 'id') {
      out.id = percentDecode(raw, name);
    } else if (name === 'slot-id') {
      out.slotId = decimal(utf8(percentDecode(raw, name), name), name, 0xffffffff);
    } else if (name === 'library-version') {
      const v = /^([0-9]+)(?:\.([0-9]+))?$/.exec(utf8(percentDecode(raw, name), name));
      if (!v) throw invalid('attribute "library-version" is not M or M.N', name);
      out.libraryVersion = {
        major: decimal(v[1] ?? '', name, 255),
        minor: v[2] === undefined ? 0 : decimal(v[2], name, 255),
      };
    } else if (name === 'type') {
      const t = utf8(percentDecode(raw, name), name);
      if (!TYPES.has(t))
        throw invalid('attribute "type" is not public, private, cert, secret-key or data', name);
      out.type = t as Pkcs11ObjectType;
    } else {
      throw unknown(name, 'path');
    }
  }
  if (query !== undefined) {
    for (const [name, raw] of attributes(query, '&', 'query')) {
      once(seen, `?${name}`, 'query', name);
      if (!QUERY_VALUE.test(raw)) throw badChars(name);
      if (!QUERY.has(name)) throw unknown(name, 'query');
      const value = utf8(percentDecode(raw, name), name);
      if (name === 'pin-value') out.pin = { kind: 'value', value };
      else if (name === 'pin-source') out.pin = pinSource(value);
      else if (name === 'module-path') out.modulePath = absolute(value, name);
      else out.moduleName = moduleName(value);
    }
    if (seen.has('?pin-value') && seen.has('?pin-source')) {
      throw new UsageError({
        code: 'PKCS11_URI_PIN_CONFLICT',
        message: 'the PKCS#11 URI has both pin-value and pin-source; give one',
      });
    }
  }
  return Object.freeze(out);
}

/** For a signing key: an object must be named (label or id), and it must be the private key. */
export function parsePkcs11KeyUri(text: string): Pkcs11Uri {
  const uri = parsePkcs11Uri(text);
  if (uri.object === undefined && uri.id === undefined) {
    throw new UsageError({
      code: 'PKCS11_URI_OBJECT_REQUIRED',
      message: 'the PKCS#11 URI names no key: add object=<label> or id=<hex as %XX> to its path',
    });
  }
  if (uri.type !== undefined && uri.type !== 'private') {
    throw new UsageError({
      code: 'PKCS11_URI_TYPE_UNSUPPORTED',
      message: `the PKCS#11 URI asks for a ${uri.type} object; signing needs the private key (type=private, or leave type out)`,
    });
  }
  return uri;
}

/** The URI with its query (PIN, module) left out: what messages and logs may show. */
export function describePkcs11Uri(uri: Pkcs11Uri): string {
  const parts: string[] = [];
  for (const [name, { field }] of Object.entries(TEXT_PATH)) {
    const v = uri[field];
    if (v !== undefined) parts.push(`${name}=${encode(new TextEncoder().encode(v))}`);
  }
  if (uri.slotId !== undefined) parts.push(`slot-id=${uri.slotId}`);
  if (uri.id !== undefined) parts.push(`id=${encode(uri.id, true)}`);
  if (uri.type !== undefined) parts.push(`type=${uri.type}`);
  return `pkcs11:${parts.join(';')}`;
}

function* attributes(part: string, sep: string, where: 'path' | 'query'): Generator<[string, string]> {
  if (part === '') return;
  for (const item of part.split(sep)) {
    const eq = item.indexOf('=');
    const name = eq < 0 ? item : item.slice(0, eq);
    if (eq < 0 || !NAME.test(name)) {
      throw invalid(
        item === ''
          ? `has an empty ${where} attribute (a doubled or trailing "${sep}")`
          : `has a ${where} attribute that is not name=value`,
      );
    }
    yield [name, item.slice(eq + 1)];
  }
}

function once(seen: Set<string>, key: string, where: string, name = key): void {
  if (seen.has(key)) {
    throw new UsageError({
      code: 'PKCS11_URI_ATTRIBUTE_REPEATED',
      message: `the PKCS#11 URI repeats the ${where} attribute "${name}"; RFC 7512 allows each once`,
      details: { attribute: name },
    });
  }
  seen.add(key);
}

function percentDecode(raw: string, name: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === 0x25) {
      const h = raw.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(h)) throw invalid(`attribute "${name}" has a bad percent-escape`, name);
      out.push(Number.parseInt(h, 16));
      i += 2;
    } else {
      out.push(c);
    }
  }
  return Uint8Array.from(out);
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Text attributes: valid UTF-8 without control characters (a NUL would cut a C string short). */
function utf8(bytes: Uint8Array, name: string): string {
  let s: string;
  try {
    s = UTF8.decode(bytes);
  } catch {
    throw invalid(`attribute "${name}" is not valid UTF-8 once percent-decoded`, name);
  }
  if (/[\u0000-\u001f\u007f]/.test(s)) throw invalid(`attribute "${name}" holds a control character`, name);
  return s;
}

function decimal(s: string, name: string, max: number): number {
  if (!/^[0-9]{1,10}$/.test(s) || Number(s) > max) {
    throw invalid(`attribute "${name}" is not a decimal number up to ${max}`, name);
  }
  return Number(s);
}

function absolute(path: string, name: string): string {
  if (!path.startsWith('/')) throw invalid(`attribute "${name}" must be an absolute path`, name);
  return path;
}

function moduleName(value: string): string {
  if (!/^[A-Za-z0-9._+-]{1,128}$/.test(value) || value.startsWith('.')) {
    throw invalid('attribute "module-name" must be a bare library name such as softhsm2', 'module-name');
  }
  return value;
}

/** file:/abs, file:///abs, file://localhost/abs or /abs; no programs, no other schemes. */
function pinSource(value: string): PinSpec {
  let path = value;
  if (/^file:/i.test(value)) {
    path = value.slice(5);
    if (path.startsWith('//')) {
      const slash = path.indexOf('/', 2);
      const host = slash < 0 ? path.slice(2) : path.slice(2, slash);
      if (host !== '' && host.toLowerCase() !== 'localhost') throw unsupportedPin('a file on another host');
      path = slash < 0 ? '' : path.slice(slash);
    }
  } else if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(value)) {
    throw unsupportedPin(`the "${value.slice(0, value.indexOf(':'))}:" scheme`);
  } else if (value.startsWith('|')) {
    throw unsupportedPin('a program ("|command")');
  }
  if (!path.startsWith('/')) throw unsupportedPin('a relative path');
  return { kind: 'file', path };
}

function encode(bytes: Uint8Array, all = false): string {
  let s = '';
  for (const b of bytes) {
    const c = String.fromCharCode(b);
    s += !all && /[A-Za-z0-9\-._~]/.test(c) ? c : `%${b.toString(16).padStart(2, '0')}`;
  }
  return s;
}

function invalid(problem: string, attribute?: string): UsageError {
  return new UsageError({
    code: 'PKCS11_URI_INVALID',
    message: `the PKCS#11 URI ${problem}`,
    ...(attribute ? { details: { attribute } } : {}),
  });
}

function badChars(name: string): UsageError {
  return invalid(`attribute "${name}" has characters RFC 7512 requires to be percent-encoded`, name);
}

function unknown(name: string, where: 'path' | 'query'): UsageError {
  const known = where === 'path' ? [...Object.keys(TEXT_PATH), ...OTHER_PATH] : [...QUERY];
  return new UsageError({
    code: 'PKCS11_URI_ATTRIBUTE_UNKNOWN',
    message: `the PKCS#11 URI has the ${where} attribute "${name}", which is not supported${name.startsWith('x-') ? ' (vendor attributes are refused: they could change which object is used)' : ''}; known: ${known.sort().join(', ')}`,
    details: { attribute: name },
  });
}

function unsupportedPin(what: string): UsageError {
  return new UsageError({
    code: 'PKCS11_PIN_SOURCE_UNSUPPORTED',
    message: `pin-source in the PKCS#11 URI names ${what}; only an absolute file path (file:/path) is read`,
  });
}
