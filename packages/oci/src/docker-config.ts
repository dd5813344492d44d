/**
 * docker `config.json` / containers `auth.json` as data: which entry or helper serves a registry.
 * Pure: the edge (credentials.ts) reads the files and runs the helpers.
 */
import { fromBase64, InputError, isRecord, parseJson } from '@modelseal/core';
import type { Credential } from './auth.ts';
import { DOCKER_HUB, DOCKER_HUB_AUTH_KEY } from './reference.ts';

export interface AuthConfig {
  /** normalized key (`host[:port][/path]`) -> credential, from `auths` */
  readonly auths: ReadonlyMap<string, Credential>;
  /** normalized key -> helper name, from `credHelpers` */
  readonly credHelpers: ReadonlyMap<string, string>;
  readonly credsStore?: string;
}

export type CredentialSource =
  | { readonly kind: 'entry'; readonly credential: Credential }
  | {
      readonly kind: 'helper';
      readonly helper: string;
      readonly serverUrl: string;
      readonly fallback?: Credential;
    };

const HELPER_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** `https://index.docker.io/v1/` -> `docker.io`; `https://Reg.example:5000/` -> `reg.example:5000` */
export function normalizeAuthKey(key: string): string {
  let k = key.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  k = k.replace(/\/+$/, '');
  const slash = k.indexOf('/');
  let host = (slash < 0 ? k : k.slice(0, slash)).toLowerCase();
  let path = slash < 0 ? '' : k.slice(slash);
  if (host === 'index.docker.io' || host === 'registry-1.docker.io') host = DOCKER_HUB;
  if (host === DOCKER_HUB && (path === '/v1' || path === '/v2')) path = '';
  return host + path;
}

function credentialOf(entry: Record<string, unknown>, file: string, key: string): Credential | undefined {
  if (typeof entry.registrytoken === 'string' && entry.registrytoken !== '') {
    return { kind: 'registry-token', token: entry.registrytoken };
  }
  if (typeof entry.identitytoken === 'string' && entry.identitytoken !== '') {
    return { kind: 'identity-token', token: entry.identitytoken };
  }
  let username = typeof entry.username === 'string' ? entry.username : undefined;
  let password = typeof entry.password === 'string' ? entry.password : undefined;
  if (typeof entry.auth === 'string' && entry.auth !== '') {
    // the message names the file and key, never the value
    const decoded = Buffer.from(fromBase64(entry.auth, `the "auth" of ${key} in ${file}`)).toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) {
      throw new InputError({
        code: 'REGISTRY_AUTH_CONFIG_INVALID',
        message: `the "auth" of ${key} in ${file} does not decode to user:password`,
      });
    }
    username = decoded.slice(0, colon);
    password = decoded.slice(colon + 1);
  }
  if (username === undefined || password === undefined || username === '') return undefined;
  return { kind: 'basic', username, password };
}

export function parseAuthConfig(bytes: Uint8Array, file: string): AuthConfig {
  let doc: unknown;
  try {
    doc = parseJson(bytes, file, { maxBytes: 1024 * 1024, maxDepth: 8 });
  } catch (e) {
    // not the parser's message: V8 quotes the text around the error, which may be a password
    throw new InputError({
      code: 'REGISTRY_AUTH_CONFIG_INVALID',
      message: `${file} is not a valid JSON file (${(e as { code?: string }).code ?? 'JSON'})`,
    });
  }
  if (!isRecord(doc)) {
    throw new InputError({ code: 'REGISTRY_AUTH_CONFIG_INVALID', message: `${file} is not a JSON object` });
  }
  const auths = new Map<string, Credential>();
  if (isRecord(doc.auths)) {
    for (const [key, entry] of Object.entries(doc.auths)) {
      if (!isRecord(entry)) continue;
      const cred = credentialOf(entry, file, key);
      if (cred) auths.set(normalizeAuthKey(key), cred);
    }
  }
  const credHelpers = new Map<string, string>();
  if (isRecord(doc.credHelpers)) {
    for (const [key, helper] of Object.entries(doc.credHelpers)) {
      if (typeof helper === 'string' && HELPER_RE.test(helper))
        credHelpers.set(normalizeAuthKey(key), helper);
    }
  }
  const credsStore =
    typeof doc.credsStore === 'string' && HELPER_RE.test(doc.credsStore) ? doc.credsStore : undefined;
  return { auths, credHelpers, ...(credsStore !== undefined ? { credsStore } : {}) };
}

/** podman lets a key name a namespace (`quay.io/org`); the longest key that matches wins. */
function bestMatch<T>(map: ReadonlyMap<string, T>, registry: string, repository: string): T | undefined {
  const full = `${registry}/${repository}`;
  let best: { len: number; value: T } | undefined;
  for (const [key, value] of map) {
    const hit =
      key === registry || (key.startsWith(`${registry}/`) && (full === key || full.startsWith(`${key}/`)));
    if (hit && (best === undefined || key.length > best.len)) best = { len: key.length, value };
  }
  return best?.value;
}

/** The server URL a credential helper is asked about, as docker asks it. */
export function helperServerUrl(registry: string): string {
  return registry === DOCKER_HUB ? DOCKER_HUB_AUTH_KEY : registry;
}

/** docker's precedence: a per-registry helper, then the default store, then the file's own entry. */
export function credentialSource(
  config: AuthConfig,
  registry: string,
  repository: string,
): CredentialSource | undefined {
  const entry = bestMatch(config.auths, registry, repository);
  const helper = bestMatch(config.credHelpers, registry, repository) ?? config.credsStore;
  if (helper !== undefined) {
    return {
      kind: 'helper',
      helper,
      serverUrl: helperServerUrl(registry),
      ...(entry ? { fallback: entry } : {}),
    };
  }
  return entry ? { kind: 'entry', credential: entry } : undefined;
}
