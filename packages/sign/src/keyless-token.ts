import { InternalError, isModelsealError, UsageError } from '@modelseal/core';

export type TokenSource = 'flag' | 'file' | 'env' | 'github-actions';

/** Everything token discovery may touch, injected so this stays testable and free of globals. */
export interface TokenEnvironment {
  readonly flagToken?: string;
  readonly tokenFile?: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readFile(path: string): Promise<string>;
  fetch(url: string, init: { headers: Record<string, string>; signal: AbortSignal }): Promise<Response>;
}

const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const MAX_TOKEN = 64 << 10;

/**
 * The OIDC token for keyless signing, in cosign's order: --identity-token, --identity-token-file,
 * $SIGSTORE_ID_TOKEN, then GitHub Actions' ambient OIDC (needs `permissions: id-token: write`).
 * Returns undefined when none is available. Tokens are never put in messages.
 */
export async function resolveIdentityToken(
  e: TokenEnvironment,
): Promise<{ readonly token: string; readonly source: TokenSource } | undefined> {
  if (e.flagToken !== undefined && e.flagToken !== '')
    return checked(e.flagToken, 'flag', '--identity-token');
  if (e.tokenFile !== undefined) {
    let text: string;
    try {
      text = await e.readFile(e.tokenFile);
    } catch (err) {
      // the caller's reader may already say what is wrong, with its own code
      if (isModelsealError(err)) throw err;
      throw new UsageError({
        code: 'TOKEN_FILE_UNREADABLE',
        message: `--identity-token-file ${e.tokenFile} cannot be read: ${(err as Error).message}`,
      });
    }
    return checked(text, 'file', `--identity-token-file ${e.tokenFile}`);
  }
  const fromEnv = e.env.SIGSTORE_ID_TOKEN;
  if (fromEnv) return checked(fromEnv, 'env', '$SIGSTORE_ID_TOKEN');
  const url = e.env.ACTIONS_ID_TOKEN_REQUEST_URL;
  const bearer = e.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
  if (url && bearer)
    return checked(await githubToken(e, url, bearer), 'github-actions', 'GitHub Actions OIDC');
  return undefined;
}

async function githubToken(e: TokenEnvironment, url: string, bearer: string): Promise<string> {
  const target = `${url}${url.includes('?') ? '&' : '?'}audience=sigstore`;
  let res: Response;
  try {
    res = await e.fetch(target, {
      headers: { authorization: `bearer ${bearer}`, accept: 'application/json' },
      signal: AbortSignal.timeout(15_000),
    });
  } catch (err) {
    throw new InternalError({
      code: 'GITHUB_OIDC_UNREACHABLE',
      message: `cannot reach the GitHub Actions OIDC endpoint: ${(err as Error).message}`,
    });
  }
  const text = await res.text().catch(() => '');
  if (!res.ok) {
    throw new InternalError({
      code: 'GITHUB_OIDC_FAILED',
      message: `the GitHub Actions OIDC endpoint answered HTTP ${res.status}; does the job have "permissions: id-token: write"?`,
    });
  }
  let value: unknown;
  try {
    value = (JSON.parse(text) as { value?: unknown }).value;
  } catch {
    value = undefined;
  }
  if (typeof value !== 'string') {
    throw new InternalError({
      code: 'GITHUB_OIDC_FAILED',
      message: 'the GitHub Actions OIDC endpoint answered without a "value" token',
    });
  }
  return value;
}

function checked(raw: string, source: TokenSource, where: string) {
  const token = raw.trim();
  if (token.length > MAX_TOKEN || !JWT.test(token)) {
    throw new UsageError({
      code: 'TOKEN_MALFORMED',
      message: `the identity token from ${where} is not a JWT (three base64url parts separated by dots)`,
    });
  }
  return { token, source } as const;
}

export const NO_SIGNER_MESSAGE =
  'nothing to sign with: pass --key <private key PEM> for key signing, or for Sigstore keyless signing an OIDC token via --identity-token, --identity-token-file or $SIGSTORE_ID_TOKEN (GitHub Actions with id-token: write is detected automatically)';
