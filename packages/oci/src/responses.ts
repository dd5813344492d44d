/** Reading registry answers: status -> coded error, the registry's own error text, pagination. */
import {
  DigestMismatchError,
  InternalError,
  type NotFoundCode,
  NotFoundError,
  UsageError,
} from '@modelseal/core';
import { clean, type HttpResponse, header } from './http.ts';

export const ERROR_BODY = 16 * 1024;

export function mismatch(what: string, expected: string, got: string): DigestMismatchError {
  return new DigestMismatchError({
    code: 'DIGEST_MISMATCH',
    message: `${what}: the registry sent bytes with digest ${clean(got, 80)}, expected ${clean(expected, 80)}`,
    details: { expected: clean(expected, 80), got: clean(got, 80) },
  });
}

/** `Link: </v2/x/tags/list?n=100&last=b>; rel="next"` */
export function nextLink(res: HttpResponse, base: URL): URL | undefined {
  const link = header(res, 'link');
  const m = link === undefined ? null : /<([^>]+)>\s*;\s*rel="?next"?/.exec(link);
  if (!m) return undefined;
  const next = new URL(m[1]!, base);
  return next.origin === base.origin ? next : undefined;
}

export function jsonBody(res: HttpResponse, what: string): Record<string, unknown> {
  try {
    const doc: unknown = JSON.parse(new TextDecoder().decode(res.body));
    if (typeof doc === 'object' && doc !== null && !Array.isArray(doc)) return doc as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new InternalError({
    code: 'REGISTRY_BAD_RESPONSE',
    message: `${what}: the answer is not a JSON object`,
  });
}

/** The registry's own error codes (`MANIFEST_UNKNOWN`, `DENIED`), for the message. */
function registryErrors(res: HttpResponse): string {
  try {
    const doc = JSON.parse(new TextDecoder().decode(res.body.subarray(0, ERROR_BODY))) as {
      errors?: unknown;
    };
    if (!Array.isArray(doc.errors)) return '';
    const codes = doc.errors
      .slice(0, 5)
      .map((e: { code?: unknown; message?: unknown }) =>
        [e.code, e.message].filter((x) => typeof x === 'string').join(': '),
      );
    return codes.length > 0 ? ` (${clean(codes.join('; '))})` : '';
  } catch {
    return '';
  }
}

export function expectStatus(
  res: HttpResponse,
  ok: readonly number[],
  what: string,
  notFoundCode: NotFoundCode,
): void {
  if (ok.includes(res.status)) return;
  const detail = registryErrors(res);
  const details = { status: res.status };
  switch (res.status) {
    case 404:
      throw new NotFoundError({ code: notFoundCode, message: `${what}: not found${detail}`, details });
    case 403:
      throw new UsageError({ code: 'REGISTRY_DENIED', message: `${what}: access denied${detail}`, details });
    case 412:
      throw new InternalError({
        code: 'REGISTRY_PRECONDITION_FAILED',
        message: `${what}: changed meanwhile (HTTP 412)`,
        details,
      });
    case 429:
      throw new InternalError({
        code: 'REGISTRY_RATE_LIMITED',
        message: `${what}: rate limited${detail}`,
        details,
      });
    default:
      throw new InternalError({
        code: res.status >= 500 ? 'REGISTRY_UNAVAILABLE' : 'REGISTRY_BAD_RESPONSE',
        message: `${what}: HTTP ${res.status}${detail}`,
        details,
      });
  }
}
