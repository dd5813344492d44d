import { readdirSync, realpathSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join, resolve } from 'node:path';
import { InputError, InternalError, isModelsealError, NotFoundError, UsageError } from '@modelseal/core';
import type * as Pkcs11js from 'pkcs11js';
import type { Pkcs11Uri } from './uri.ts';

export type Binding = typeof Pkcs11js;
export type Handle = Buffer;
export interface Module {
  readonly path: string;
  readonly lib: Pkcs11js.PKCS11;
}

let loaded: Binding | undefined;

/** pkcs11js is a native addon: required only when a token is used, so no other command pays for it. */
export function binding(): Binding {
  if (loaded) return loaded;
  try {
    loaded = createRequire(import.meta.url)('pkcs11js') as Binding;
    return loaded;
  } catch (e) {
    throw new InternalError({
      code: 'PKCS11_BINDING_UNAVAILABLE',
      message: `the PKCS#11 binding (pkcs11js) is not installed or its native part did not build: ${(e as Error).message.split('\n')[0]}`,
    });
  }
}

/** Where distributions put PKCS#11 modules, for module-name (model_signing searches the first two). */
const MODULE_DIRS = [
  '/usr/lib64/pkcs11',
  '/usr/lib/pkcs11',
  '/usr/lib/x86_64-linux-gnu/pkcs11',
  '/usr/lib/aarch64-linux-gnu/pkcs11',
  '/usr/lib/softhsm',
  '/usr/lib/x86_64-linux-gnu/softhsm',
  '/usr/local/lib/softhsm',
];

// A module is initialised once per process; C_Initialize a second time is an error.
const modules = new Map<string, Module>();

/** The URI's module-path / module-name win; else the caller's fallback (flag, environment). */
export function loadModule(p11: Binding, uri: Pkcs11Uri, fallback: string | undefined): Module {
  const path = modulePath(uri, fallback);
  const cached = modules.get(path);
  if (cached) return cached;
  const lib = new p11.PKCS11();
  try {
    lib.load(path);
  } catch (e) {
    throw new InputError({
      code: 'PKCS11_MODULE_INVALID',
      message: `${path} cannot be loaded as a PKCS#11 module: ${(e as Error).message.split('\n')[0]}`,
      details: { module: path },
    });
  }
  try {
    lib.C_Initialize();
  } catch (e) {
    if ((e as Error).message !== 'CKR_CRYPTOKI_ALREADY_INITIALIZED')
      throw failure(e, 'initialising the module');
  }
  const m = { path, lib };
  modules.set(path, m);
  return m;
}

function modulePath(uri: Pkcs11Uri, fallback: string | undefined): string {
  if (uri.modulePath !== undefined) {
    const kind = fileKind(uri.modulePath);
    if (kind === 'file') return realpathSync(uri.modulePath);
    if (kind === 'dir') {
      if (uri.moduleName === undefined) {
        throw new UsageError({
          code: 'PKCS11_MODULE_REQUIRED',
          message: `module-path ${uri.modulePath} in the PKCS#11 URI is a directory; add module-name=<library> to pick the module in it`,
        });
      }
      return byName(uri.moduleName, [uri.modulePath]);
    }
    throw missing(uri.modulePath);
  }
  if (uri.moduleName !== undefined) return byName(uri.moduleName, MODULE_DIRS);
  if (fallback === undefined || fallback === '') {
    throw new UsageError({
      code: 'PKCS11_MODULE_REQUIRED',
      message:
        'no PKCS#11 module was named: add module-path=/path/to/module.so to the URI, or give the module library path',
    });
  }
  const abs = resolve(fallback);
  if (fileKind(abs) !== 'file') throw missing(abs);
  return realpathSync(abs);
}

function fileKind(path: string): 'file' | 'dir' | 'other' | 'none' {
  try {
    const st = statSync(path);
    return st.isFile() ? 'file' : st.isDirectory() ? 'dir' : 'other';
  } catch {
    return 'none';
  }
}

/** `softhsm2` finds libsofthsm2.so or softhsm2.so (any .so.N suffix); case-insensitive. */
function byName(name: string, dirs: readonly string[]): string {
  const want = name.toLowerCase().replace(/^lib/, '');
  for (const dir of dirs) {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      continue;
    }
    for (const f of entries.sort()) {
      const stem = basename(f)
        .toLowerCase()
        .replace(/^lib/, '')
        .replace(/\.so(\.[0-9.]+)?$/, '');
      if (stem === want && /\.so(\.[0-9.]+)?$/.test(f) && fileKind(join(dir, f)) === 'file') {
        return realpathSync(join(dir, f));
      }
    }
  }
  throw new NotFoundError({
    code: 'PKCS11_MODULE_NOT_FOUND',
    message: `no PKCS#11 module named ${name} in ${dirs.join(', ')}; give module-path=/path/to/module.so instead`,
  });
}

function missing(path: string): NotFoundError {
  return new NotFoundError({
    code: 'PKCS11_MODULE_NOT_FOUND',
    message: `the PKCS#11 module ${path} does not exist or is not a file`,
    details: { module: path },
  });
}

const PIN_WRONG = new Set(['CKR_PIN_INCORRECT', 'CKR_PIN_INVALID', 'CKR_PIN_LEN_RANGE']);

/** A token's CKR_* answer as a coded error; the PIN is never part of any message. */
export function failure(e: unknown, doing: string): Error {
  if (isModelsealError(e)) return e;
  const ckr = (e as Error)?.message ?? '';
  if (PIN_WRONG.has(ckr)) {
    return new InputError({ code: 'PKCS11_PIN_INCORRECT', message: `the token refused the PIN (${ckr})` });
  }
  if (ckr === 'CKR_PIN_LOCKED' || ckr === 'CKR_PIN_EXPIRED') {
    return new InputError({
      code: 'PKCS11_PIN_LOCKED',
      message: `the token's user PIN is ${ckr === 'CKR_PIN_LOCKED' ? 'locked (too many wrong tries)' : 'expired'}; unlock or reset it with the security officer PIN`,
    });
  }
  if (ckr === 'CKR_USER_NOT_LOGGED_IN') {
    return new UsageError({
      code: 'PKCS11_PIN_REQUIRED',
      message: 'the token needs a login for this key and no PIN was given',
    });
  }
  if (ckr === 'CKR_KEY_FUNCTION_NOT_PERMITTED') {
    return new InputError({
      code: 'PKCS11_KEY_CANNOT_SIGN',
      message: 'the token key is not allowed to sign',
    });
  }
  return new InternalError({
    code: 'PKCS11_FAILED',
    message: `${doing} failed on the PKCS#11 token: ${/^CKR_[A-Z0-9_]+$/.test(ckr) ? ckr : String(ckr).split('\n')[0]}`,
    cause: e,
  });
}
