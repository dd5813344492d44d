/** Registry authentication: challenge parsing (pure) and the credential shapes the client takes. */

/** What a user's docker/podman configuration yields for one registry. */
export type Credential =
  | { readonly kind: 'basic'; readonly username: string; readonly password: string }
  /** an OAuth2 refresh token (docker's `identitytoken`, a helper's `<token>` user) */
  | { readonly kind: 'identity-token'; readonly token: string }
  /** a bearer token to send as it is (docker's `registrytoken`) */
  | { readonly kind: 'registry-token'; readonly token: string };

/** Looks up credentials for a registry (and repository, for podman's per-namespace entries). */
export type CredentialResolver = (registry: string, repository: string) => Promise<Credential | undefined>;

export interface Challenge {
  /** lowercase: `basic`, `bearer` */
  readonly scheme: string;
  readonly params: Readonly<Record<string, string>>;
}

const MAX_HEADER = 8 * 1024;

/**
 * RFC 7235 challenges: `Bearer realm="https://auth/token",service="reg",scope="repository:a:pull"`.
 * Several may share one header. Anything unparsable ends the list: we never guess.
 */
export function parseChallenges(header: string | undefined): Challenge[] {
  if (header === undefined || header.length > MAX_HEADER) return [];
  const out: { scheme: string; params: Record<string, string> }[] = [];
  let i = 0;
  const s = header;
  const skipWs = () => {
    while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i++;
  };
  const token = (): string => {
    const m = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+/.exec(s.slice(i));
    if (!m) return '';
    i += m[0].length;
    return m[0];
  };
  while (i < s.length) {
    skipWs();
    if (s[i] === ',') {
      i++;
      continue;
    }
    const scheme = token();
    if (scheme === '') break;
    const current = { scheme: scheme.toLowerCase(), params: Object.create(null) as Record<string, string> };
    out.push(current);
    for (;;) {
      skipWs();
      const save = i;
      const name = token();
      skipWs();
      if (name === '' || s[i] !== '=') {
        i = save;
        break;
      }
      i++;
      skipWs();
      let value = '';
      if (s[i] === '"') {
        i++;
        while (i < s.length && s[i] !== '"') {
          if (s[i] === '\\' && i + 1 < s.length) i++;
          value += s[i];
          i++;
        }
        if (s[i] !== '"') return out.slice(0, -1);
        i++;
      } else {
        value = token();
      }
      current.params[name.toLowerCase()] = value;
      skipWs();
      if (s[i] === ',') {
        i++;
        continue;
      }
      break;
    }
  }
  return out;
}

/** `repository:<name>:pull` or `…:pull,push` */
export function repositoryScope(repository: string, push: boolean): string {
  return `repository:${repository}:${push ? 'pull,push' : 'pull'}`;
}

export function basicHeader(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}
