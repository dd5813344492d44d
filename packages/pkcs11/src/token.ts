import { createHash, type KeyObject } from 'node:crypto';
import { InputError, isModelsealError, NotFoundError, UsageError } from '@modelseal/core';
import { signatureParams, verifyBytes } from '@modelseal/keys';
import { type Binding, binding, failure, type Handle, loadModule, type Module } from './module.ts';
import { findPrivateKey, readPublicKey } from './objects.ts';
import { p1363ToDer } from './public-key.ts';
import { describePkcs11Uri, type Pkcs11Uri } from './uri.ts';

/**
 * The IO edge to a PKCS#11 token: find the slot and the key the URI names, log in, read the
 * public key, and sign with C_Sign on the token. The private key never leaves it: nothing here
 * asks for CKA_VALUE or any other private attribute.
 */
export interface TokenKeyOptions {
  readonly uri: Pkcs11Uri;
  /** the user PIN; undefined for tokens that need no login */
  readonly pin?: string;
  /** the module library when the URI names none (a flag or environment variable) */
  readonly module?: string;
}

export interface TokenKey {
  readonly publicKey: KeyObject;
  /** what the token signed with, for messages: "pkcs11:token=…;object=…" (no PIN) */
  readonly label: string;
  /** A signature over `data` in the form keys' verifyBytes checks (DER ECDSA, PKCS#1 v1.5 RSA). */
  sign(data: Uint8Array): Buffer;
}

// One CLI process signs once; `attest` after `sign` in one process, or a test, must not log in,
// probe and read the token twice for the same key.
const opened = new Map<string, TokenKey>();

export function openTokenKey(o: TokenKeyOptions): TokenKey {
  const p11 = binding();
  const module = loadModule(p11, o.uri, o.module);
  const cacheKey = JSON.stringify([module.path, describePkcs11Uri(o.uri), hashPin(o.pin)]);
  const cached = opened.get(cacheKey);
  if (cached) return cached;
  const slot = findSlot(p11, module, o.uri);
  const withSession = <T>(fn: (s: Handle) => T): T => session(p11, module, slot, o.pin, fn);
  const label = describePkcs11Uri(o.uri);
  const publicKey = withSession((s) => readPublicKey(p11, module, s, findPrivateKey(p11, module, s, o.uri)));
  const params = signatureParams(publicKey);
  const signOnToken = (data: Uint8Array): Buffer =>
    withSession((s) => {
      const key = findPrivateKey(p11, module, s, o.uri);
      try {
        if (params.scheme === 'ecdsa') {
          module.lib.C_SignInit(s, { mechanism: p11.CKM_ECDSA }, key);
          const digest = createHash(params.hash).update(data).digest();
          return p1363ToDer(module.lib.C_Sign(s, digest, Buffer.alloc(256)));
        }
        if (params.scheme === 'rsa-pkcs1') {
          module.lib.C_SignInit(s, { mechanism: p11.CKM_SHA256_RSA_PKCS }, key);
          return Buffer.from(module.lib.C_Sign(s, Buffer.from(data), Buffer.alloc(2048)));
        }
      } catch (e) {
        throw failure(e, 'signing');
      }
      throw new InputError({
        code: 'KEY_ALGORITHM_UNSUPPORTED',
        message: `${label} is a ${params.scheme} key; a token key must be EC (P-256, P-384, P-521) or RSA`,
      });
    });
  const sign = (data: Uint8Array): Buffer => {
    const signature = signOnToken(data);
    if (!verifyBytes(publicKey, data, signature)) {
      throw new InputError({
        code: 'PKCS11_KEY_MISMATCH',
        message: `the public key read for ${label} does not verify what its private key signed: the token's public and private objects with this label/id are not one pair`,
      });
    }
    return signature;
  };
  // Sign once now: a wrong pairing or an unsupported mechanism shows before a model is hashed.
  sign(Buffer.from('modelseal pkcs11 probe'));
  const key = Object.freeze({ publicKey, label, sign });
  opened.set(cacheKey, key);
  return key;
}

/** The PIN only as a digest in the cache key, so no map holds it in the clear. */
function hashPin(pin: string | undefined): string {
  return pin === undefined ? '' : createHash('sha256').update(pin).digest('hex');
}

const text = (s: string) => s.replace(/[\s\0]+$/, '');

function findSlot(p11: Binding, module: Module, uri: Pkcs11Uri): Handle {
  const lib = module.lib;
  try {
    const info = lib.C_GetInfo();
    const libraryOk =
      (uri.libraryDescription === undefined || text(info.libraryDescription) === uri.libraryDescription) &&
      (uri.libraryManufacturer === undefined || text(info.manufacturerID) === uri.libraryManufacturer) &&
      (uri.libraryVersion === undefined ||
        (info.libraryVersion.major === uri.libraryVersion.major &&
          info.libraryVersion.minor === uri.libraryVersion.minor));
    const slots = libraryOk ? lib.C_GetSlotList(true) : [];
    const present = slots.map((slot) => ({
      slot,
      token: lib.C_GetTokenInfo(slot),
      info: lib.C_GetSlotInfo(slot),
    }));
    const matches = present.filter(
      ({ slot, token, info: s }) =>
        (uri.slotId === undefined || slotNumber(slot) === uri.slotId) &&
        (uri.slotDescription === undefined || text(s.slotDescription) === uri.slotDescription) &&
        (uri.slotManufacturer === undefined || text(s.manufacturerID) === uri.slotManufacturer) &&
        (uri.token === undefined || text(token.label) === uri.token) &&
        (uri.manufacturer === undefined || text(token.manufacturerID) === uri.manufacturer) &&
        (uri.model === undefined || text(token.model) === uri.model) &&
        (uri.serial === undefined || text(token.serialNumber) === uri.serial),
    );
    const names =
      present
        .filter((t) => t.token.flags & p11.CKF_TOKEN_INITIALIZED)
        .map((t) => JSON.stringify(text(t.token.label)))
        .join(', ') || 'none';
    if (matches.length === 0) {
      throw new NotFoundError({
        code: 'PKCS11_TOKEN_NOT_FOUND',
        message: `no token of ${module.path} matches ${describePkcs11Uri(uri)}${libraryOk ? '' : ' (the library attributes do not match this module)'}; tokens present: ${names}`,
        details: { module: module.path },
      });
    }
    if (matches.length > 1) {
      throw new UsageError({
        code: 'PKCS11_TOKEN_AMBIGUOUS',
        message: `${matches.length} tokens match ${describePkcs11Uri(uri)} (${names}); add token=, serial= or slot-id= to the URI`,
      });
    }
    const [only] = matches;
    if (only === undefined) throw new Error('unreachable');
    return only.slot;
  } catch (e) {
    throw failure(e, 'listing the tokens');
  }
}

function slotNumber(slot: Handle): number {
  return slot.length >= 8 ? Number(slot.readBigUInt64LE(0)) : slot.readUInt32LE(0);
}

function session<T>(
  p11: Binding,
  module: Module,
  slot: Handle,
  pin: string | undefined,
  fn: (s: Handle) => T,
): T {
  const lib = module.lib;
  let s: Handle;
  try {
    s = lib.C_OpenSession(slot, p11.CKF_SERIAL_SESSION);
  } catch (e) {
    throw failure(e, 'opening a session');
  }
  try {
    if (pin !== undefined) {
      try {
        lib.C_Login(s, p11.CKU_USER, pin);
      } catch (e) {
        if ((e as Error)?.message !== 'CKR_USER_ALREADY_LOGGED_IN') throw failure(e, 'logging in');
      }
    } else if (lib.C_GetTokenInfo(slot).flags & p11.CKF_LOGIN_REQUIRED) {
      throw new UsageError({
        code: 'PKCS11_PIN_REQUIRED',
        message:
          'the token requires a login and no PIN was given; add pin-source=file:/path (or pin-value=) to the PKCS#11 URI',
      });
    }
    return fn(s);
  } catch (e) {
    throw isModelsealError(e) ? e : failure(e, 'using the token');
  } finally {
    try {
      lib.C_CloseSession(s);
    } catch {
      // the session is gone either way; the caller's error (if any) is the one that matters
    }
  }
}
