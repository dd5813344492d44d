import { fromBase64, type InputCode, InputError, isRecord } from '@modelseal/core';
import { TrustedRoot } from '@sigstore/protobuf-specs';

export const TRUSTED_ROOT_MEDIA_TYPE = 'application/vnd.dev.sigstore.trustedroot+json;version=0.1';

/**
 * Strict reading of a Sigstore trusted_root.json. The protobuf decoder accepts almost anything and
 * @sigstore/verify treats a missing validity bound as "forever"; a trust root is the one input
 * that decides who is trusted, so every authority must say when it was valid, and we refuse
 * rather than guess (conformance: trust-root-tlog-missing-validity-start_fail).
 */
export function parseTrustedRoot(json: unknown, what = 'trusted root'): TrustedRoot {
  if (!isRecord(json)) throw bad(what, '', 'is not a JSON object');
  if (json.mediaType !== TRUSTED_ROOT_MEDIA_TYPE) {
    throw bad(
      what,
      'mediaType',
      `is ${JSON.stringify(json.mediaType)}, expected "${TRUSTED_ROOT_MEDIA_TYPE}"`,
      'TRUST_ROOT_MEDIA_TYPE',
    );
  }
  for (const field of ['tlogs', 'ctlogs'] as const) {
    for (const [i, entry] of listOf(json, field, what).entries()) checkLog(entry, `${field}[${i}]`, what);
  }
  for (const field of ['certificateAuthorities', 'timestampAuthorities'] as const) {
    for (const [i, entry] of listOf(json, field, what).entries())
      checkAuthority(entry, `${field}[${i}]`, what);
  }
  const tlogs = listOf(json, 'tlogs', 'x').length;
  const cas = listOf(json, 'certificateAuthorities', 'x').length;
  if (tlogs === 0 && cas === 0 && listOf(json, 'timestampAuthorities', 'x').length === 0) {
    throw bad(what, '', 'trusts no transparency log, CA or timestamp authority', 'TRUST_ROOT_EMPTY');
  }
  try {
    return TrustedRoot.fromJSON(json);
  } catch (e) {
    throw new InputError({
      code: 'TRUST_ROOT_INVALID',
      message: `${what} could not be decoded: ${(e as Error).message}`,
      cause: e,
    });
  }
}

function listOf(json: Record<string, unknown>, field: string, what: string): unknown[] {
  const v = json[field];
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw bad(what, field, 'is not a list');
  return v;
}

function checkLog(entry: unknown, at: string, what: string): void {
  if (!isRecord(entry)) throw bad(what, at, 'is not an object');
  if (typeof entry.baseUrl !== 'string') throw bad(what, `${at}.baseUrl`, 'is missing');
  const key = entry.publicKey;
  if (!isRecord(key)) throw bad(what, `${at}.publicKey`, 'is missing');
  base64Field(key, 'rawBytes', `${at}.publicKey`, what);
  checkValidity(key.validFor, `${at}.publicKey.validFor`, what);
  if (!isRecord(entry.logId)) throw bad(what, `${at}.logId`, 'is missing');
  base64Field(entry.logId, 'keyId', `${at}.logId`, what);
}

function checkAuthority(entry: unknown, at: string, what: string): void {
  if (!isRecord(entry)) throw bad(what, at, 'is not an object');
  const chain = entry.certChain;
  if (!isRecord(chain) || !Array.isArray(chain.certificates) || chain.certificates.length === 0) {
    throw bad(what, `${at}.certChain.certificates`, 'is missing or empty');
  }
  chain.certificates.forEach((c, i) => {
    if (!isRecord(c)) throw bad(what, `${at}.certChain.certificates[${i}]`, 'is not an object');
    base64Field(c, 'rawBytes', `${at}.certChain.certificates[${i}]`, what);
  });
  checkValidity(entry.validFor, `${at}.validFor`, what);
}

function base64Field(obj: Record<string, unknown>, field: string, at: string, what: string): void {
  const v = obj[field];
  if (typeof v !== 'string' || v === '') throw bad(what, `${at}.${field}`, 'is missing');
  fromBase64(v, `${what} ${at}.${field}`);
}

function checkValidity(v: unknown, at: string, what: string): void {
  if (!isRecord(v)) throw bad(what, at, 'is missing', 'TRUST_ROOT_VALIDITY');
  const start = timeOf(v.start);
  if (start === undefined) {
    throw bad(what, `${at}.start`, 'is missing or not an RFC 3339 time', 'TRUST_ROOT_VALIDITY');
  }
  if (v.end === undefined || v.end === null) return;
  const end = timeOf(v.end);
  if (end === undefined) throw bad(what, `${at}.end`, 'is not an RFC 3339 time', 'TRUST_ROOT_VALIDITY');
  if (end < start)
    throw bad(what, at, `ends (${v.end}) before it starts (${v.start})`, 'TRUST_ROOT_VALIDITY');
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;

function timeOf(v: unknown): number | undefined {
  if (typeof v !== 'string' || !RFC3339.test(v)) return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
}

function bad(what: string, at: string, problem: string, code: InputCode = 'TRUST_ROOT_INVALID'): InputError {
  return new InputError({
    code,
    message: `${what}${at ? ` field ${at}` : ''} ${problem}; fix the trusted_root.json or use another`,
    details: { field: at },
  });
}
