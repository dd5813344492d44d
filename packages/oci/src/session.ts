/**
 * Authenticated requests to one registry: sends, answers 401 challenges (basic or bearer token),
 * caches tokens per scope. Credentials are only ever placed in an Authorization header; no
 * message, detail or log line built here contains them.
 */
import { InternalError, isRecord, UsageError } from '@modelseal/core';
import {
  basicHeader,
  type Challenge,
  type Credential,
  type CredentialResolver,
  parseChallenges,
} from './auth.ts';
import {
  checkScheme,
  clean,
  exchange,
  type HttpOptions,
  type HttpRequest,
  type HttpResponse,
  header,
  showUrl,
} from './http.ts';

export interface SessionOptions extends HttpOptions {
  readonly credentials?: CredentialResolver;
  /** one line per exchange: method, URL without query, status. Never headers or bodies. */
  readonly log?: (line: string) => void;
}

const MAX_TOKEN_RESPONSE = 64 * 1024;

export interface Session {
  readonly base: URL;
  send(req: Omit<HttpRequest, 'authorization'>, scope: string): Promise<HttpResponse>;
}

export function openSession(
  apiHost: string,
  registry: string,
  repository: string,
  opts: SessionOptions,
): Session {
  const base = new URL(
    `${opts.allowInsecure && isInsecureOk(apiHost, opts) ? 'http' : 'https'}://${apiHost}`,
  );
  const tokens = new Map<string, string>();
  let credential: Promise<Credential | undefined> | undefined;
  const getCredential = () => {
    credential ??= opts.credentials ? opts.credentials(registry, repository) : Promise.resolve(undefined);
    return credential;
  };

  const logged = async (req: HttpRequest): Promise<HttpResponse> => {
    try {
      const res = await exchange(req, opts);
      opts.log?.(`${req.method} ${showUrl(req.url)} -> ${res.status}`);
      return res;
    } catch (e) {
      opts.log?.(`${req.method} ${showUrl(req.url)} -> ${(e as { code?: string }).code ?? 'error'}`);
      throw e;
    }
  };

  async function send(req: Omit<HttpRequest, 'authorization'>, scope: string): Promise<HttpResponse> {
    const sameOrigin = req.url.origin === base.origin;
    const cached = sameOrigin ? tokens.get(scope) : undefined;
    let res = await logged({ ...req, ...(cached !== undefined ? { authorization: cached } : {}) });
    if (res.status !== 401 || !sameOrigin) return res;
    const challenges = parseChallenges(header(res, 'www-authenticate'));
    const authorization = await answer(challenges, scope, req.what);
    if (authorization === undefined) {
      throw authFailed(
        req.what,
        registry,
        (await getCredential()) === undefined ? 'no-credentials' : 'rejected',
      );
    }
    tokens.set(scope, authorization);
    res = await logged({ ...req, authorization });
    if (res.status === 401) throw authFailed(req.what, registry, 'rejected');
    return res;
  }

  async function answer(challenges: Challenge[], scope: string, what: string): Promise<string | undefined> {
    const cred = await getCredential();
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    if (bearer) return bearerToken(bearer, scope, cred, what);
    const basic = challenges.find((c) => c.scheme === 'basic');
    if (basic && cred?.kind === 'basic') return basicHeader(cred.username, cred.password);
    return undefined;
  }

  async function bearerToken(
    challenge: Challenge,
    scope: string,
    cred: Credential | undefined,
    what: string,
  ): Promise<string | undefined> {
    if (cred?.kind === 'registry-token') return `Bearer ${cred.token}`;
    const realm = challenge.params.realm;
    if (realm === undefined) return undefined;
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw new InternalError({
        code: 'REGISTRY_AUTH_CHALLENGE_INVALID',
        message: `${what}: ${registry} named a token endpoint that is not a URL`,
      });
    }
    checkScheme(url, opts);
    const service = challenge.params.service;
    const scopes = [...new Set([scope, ...(challenge.params.scope ?? '').split(' ').filter(Boolean)])];
    let res: HttpResponse;
    if (cred?.kind === 'identity-token') {
      const form = new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: cred.token,
        client_id: 'modelseal',
      });
      if (service !== undefined) form.set('service', service);
      form.set('scope', scopes.join(' '));
      res = await logged({
        method: 'POST',
        url,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new TextEncoder().encode(form.toString()),
        maxBytes: MAX_TOKEN_RESPONSE,
        what: `token for ${what}`,
      });
    } else {
      if (service !== undefined) url.searchParams.set('service', service);
      for (const s of scopes) url.searchParams.append('scope', s);
      res = await logged({
        method: 'GET',
        url,
        headers: { accept: 'application/json' },
        maxBytes: MAX_TOKEN_RESPONSE,
        what: `token for ${what}`,
        ...(cred?.kind === 'basic' ? { authorization: basicHeader(cred.username, cred.password) } : {}),
      });
    }
    if (res.status === 401 || res.status === 403) {
      throw authFailed(what, registry, cred === undefined ? 'no-credentials' : 'rejected');
    }
    if (res.status !== 200) {
      throw new UsageError({
        code: 'REGISTRY_AUTH_FAILED',
        message: `${what}: the token endpoint ${url.host} answered HTTP ${res.status}`,
      });
    }
    let token: unknown;
    try {
      const doc: unknown = JSON.parse(new TextDecoder().decode(res.body));
      token = isRecord(doc) ? (doc.token ?? doc.access_token) : undefined;
    } catch {
      token = undefined;
    }
    if (typeof token !== 'string' || token === '' || /[^\x21-\x7e]/.test(token)) {
      throw new UsageError({
        code: 'REGISTRY_AUTH_FAILED',
        message: `${what}: the token endpoint ${url.host} answered without a usable token`,
      });
    }
    return `Bearer ${token}`;
  }

  return { base, send };
}

function isInsecureOk(apiHost: string, opts: HttpOptions): boolean {
  try {
    checkScheme(new URL(`http://${apiHost}`), opts);
    return true;
  } catch {
    return false;
  }
}

function authFailed(what: string, registry: string, why: 'no-credentials' | 'rejected'): UsageError {
  return new UsageError({
    code: 'REGISTRY_AUTH_FAILED',
    message:
      why === 'no-credentials'
        ? `${what}: ${clean(registry)} wants credentials and none were found (docker login / podman login, or REGISTRY_AUTH_FILE)`
        : `${what}: ${clean(registry)} refused the credentials`,
    details: { registry },
  });
}
