import { describe, expect, it } from 'vitest';
import { codeOfAsync as codeOf } from '../../../test/codes.ts';
import {
  PUBLIC_GOOD_FULCIO_URL,
  PUBLIC_GOOD_REKOR_URL,
  resolveIdentityToken,
  resolveKeylessServices,
  SIGNING_CONFIG_MEDIA_TYPE,
  type TokenEnvironment,
} from '../src/index.ts';

const now = new Date('2026-06-01T00:00:00Z');
const svc = (url: string, start: string, extra: object = {}) => ({
  url,
  majorApiVersion: 1,
  validFor: { start },
  ...extra,
});
const config = {
  mediaType: SIGNING_CONFIG_MEDIA_TYPE,
  caUrls: [svc('https://old-ca', '2020-01-01T00:00:00Z'), svc('https://ca', '2025-01-01T00:00:00Z')],
  rekorTlogUrls: [
    svc('https://rekor-v2', '2025-09-01T00:00:00Z', { majorApiVersion: 2 }),
    svc('https://rekor', '2021-01-01T00:00:00Z'),
    svc('https://rekor-future', '2030-01-01T00:00:00Z'),
  ],
  tsaUrls: [
    svc('https://tsa/api/v1/timestamp', '2025-01-01T00:00:00Z', {
      validFor: { start: '2025-01-01T00:00:00Z', end: '2025-12-31T00:00:00Z' },
    }),
  ],
};

describe('keyless service resolution', () => {
  it('defaults to public-good Fulcio and Rekor', () => {
    expect(resolveKeylessServices({ tlogUpload: true, now })).toEqual({
      fulcioUrl: PUBLIC_GOOD_FULCIO_URL,
      rekorUrl: PUBLIC_GOOD_REKOR_URL,
      timestampServerUrl: undefined,
    });
  });

  it('picks the newest valid service of a supported API version; flags win', () => {
    expect(resolveKeylessServices({ signingConfig: config, tlogUpload: true, now })).toEqual({
      fulcioUrl: 'https://ca',
      rekorUrl: 'https://rekor',
      timestampServerUrl: undefined, // the only TSA expired
    });
    expect(
      resolveKeylessServices({
        signingConfig: config,
        fulcioUrl: 'http://127.0.0.1:1/',
        tlogUpload: true,
        now,
      }).fulcioUrl,
    ).toBe('http://127.0.0.1:1');
  });

  it('rejects malformed configs, bad URLs and a setup with no timestamp source', async () => {
    const bad = (c: unknown) =>
      codeOf(() => resolveKeylessServices({ signingConfig: c, tlogUpload: true, now }));
    expect(await bad([])).toBe('SIGNING_CONFIG_INVALID');
    expect(await bad({ ...config, mediaType: 'x' })).toBe('SIGNING_CONFIG_INVALID');
    expect(await bad({ ...config, caUrls: {} })).toBe('SIGNING_CONFIG_INVALID');
    expect(
      await bad({
        ...config,
        caUrls: [{ url: 'ftp://x', majorApiVersion: 1, validFor: { start: '2020-01-01T00:00:00Z' } }],
      }),
    ).toBe('SIGNING_CONFIG_INVALID');
    expect(await bad({ ...config, caUrls: [{ url: 'https://x', majorApiVersion: 1, validFor: {} }] })).toBe(
      'SIGNING_CONFIG_INVALID',
    );
    expect(
      await codeOf(() => resolveKeylessServices({ fulcioUrl: 'not a url', tlogUpload: true, now })),
    ).toBe('URL_INVALID');
    expect(await codeOf(() => resolveKeylessServices({ tlogUpload: false, now }))).toBe(
      'NO_TIMESTAMP_SOURCE',
    );
    expect(
      resolveKeylessServices({ tlogUpload: false, timestampServerUrl: 'https://tsa', now }).rekorUrl,
    ).toBeUndefined();
  });
});

const env = (over: Partial<TokenEnvironment>): TokenEnvironment => ({
  env: {},
  readFile: async () => {
    throw new Error('no file');
  },
  fetch: async () => {
    throw new Error('no network');
  },
  ...over,
});

describe('identity token discovery', () => {
  it('follows the order flag, file, $SIGSTORE_ID_TOKEN, GitHub Actions', async () => {
    const all = env({
      flagToken: 'f.f.f',
      tokenFile: '/t',
      readFile: async () => ' g.g.g \n',
      env: {
        SIGSTORE_ID_TOKEN: 'e.e.e',
        ACTIONS_ID_TOKEN_REQUEST_URL: 'http://x',
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'b',
      },
      fetch: async () => new Response(JSON.stringify({ value: 'h.h.h' })),
    });
    expect(await resolveIdentityToken(all)).toEqual({ token: 'f.f.f', source: 'flag' });
    expect(await resolveIdentityToken({ ...all, flagToken: undefined })).toEqual({
      token: 'g.g.g',
      source: 'file',
    });
    expect(await resolveIdentityToken({ ...all, flagToken: undefined, tokenFile: undefined })).toEqual({
      token: 'e.e.e',
      source: 'env',
    });
    expect(
      await resolveIdentityToken({
        ...all,
        flagToken: undefined,
        tokenFile: undefined,
        env: { ...all.env, SIGSTORE_ID_TOKEN: '' },
      }),
    ).toEqual({ token: 'h.h.h', source: 'github-actions' });
    expect(await resolveIdentityToken(env({}))).toBeUndefined();
  });

  it('refuses malformed tokens and broken GitHub answers with codes', async () => {
    expect(await codeOf(() => resolveIdentityToken(env({ flagToken: 'secret' })))).toBe('TOKEN_MALFORMED');
    expect(await codeOf(() => resolveIdentityToken(env({ flagToken: `${'a'.repeat(70_000)}.b.c` })))).toBe(
      'TOKEN_MALFORMED',
    );
    expect(await codeOf(() => resolveIdentityToken(env({ tokenFile: '/missing' })))).toBe(
      'TOKEN_FILE_UNREADABLE',
    );
    const gh = (fetch: TokenEnvironment['fetch']) =>
      codeOf(() =>
        resolveIdentityToken(
          env({
            env: { ACTIONS_ID_TOKEN_REQUEST_URL: 'http://x', ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'b' },
            fetch,
          }),
        ),
      );
    expect(await gh(async () => new Response('nope', { status: 403 }))).toBe('GITHUB_OIDC_FAILED');
    expect(await gh(async () => new Response('{"value": 1}'))).toBe('GITHUB_OIDC_FAILED');
    expect(await gh(async () => new Response('not json'))).toBe('GITHUB_OIDC_FAILED');
    expect(
      await gh(async () => {
        throw new Error('refused');
      }),
    ).toBe('GITHUB_OIDC_UNREACHABLE');
  });
});
