import { InputError, isRecord, UsageError } from '@modelseal/core';

export const PUBLIC_GOOD_FULCIO_URL = 'https://fulcio.sigstore.dev';
export const PUBLIC_GOOD_REKOR_URL = 'https://rekor.sigstore.dev';
export const SIGNING_CONFIG_MEDIA_TYPE = 'application/vnd.dev.sigstore.signingconfig.v0.2+json';

/** Where keyless signing goes; resolved once, frozen. */
export interface KeylessServices {
  readonly fulcioUrl: string;
  /** undefined when --no-tlog-upload */
  readonly rekorUrl: string | undefined;
  readonly timestampServerUrl: string | undefined;
}

export interface KeylessServiceInput {
  /** parsed signing_config.json (v0.2), if given */
  readonly signingConfig?: unknown;
  readonly fulcioUrl?: string;
  readonly rekorUrl?: string;
  readonly timestampServerUrl?: string;
  readonly tlogUpload: boolean;
  readonly now: Date;
}

/** API versions this client speaks (Rekor v2 entries are verified, but written as v1). */
const SUPPORTED = { caUrls: 1, rekorTlogUrls: 1, tsaUrls: 1 } as const;

/**
 * Flags win over the signing config, which wins over the public-good defaults. A keyless
 * certificate lives 10 minutes, so the bundle must carry a timestamp: with no Rekor upload a TSA
 * is required.
 */
export function resolveKeylessServices(input: KeylessServiceInput): KeylessServices {
  const config = input.signingConfig === undefined ? undefined : parseSigningConfig(input.signingConfig);
  const pick = (field: keyof typeof SUPPORTED) =>
    config ? selectService(config, field, input.now) : undefined;
  const fulcioUrl = url(input.fulcioUrl, '--fulcio-url') ?? pick('caUrls') ?? PUBLIC_GOOD_FULCIO_URL;
  const rekorUrl = input.tlogUpload
    ? (url(input.rekorUrl, '--rekor-url') ?? pick('rekorTlogUrls') ?? PUBLIC_GOOD_REKOR_URL)
    : undefined;
  const timestampServerUrl = url(input.timestampServerUrl, '--timestamp-server-url') ?? pick('tsaUrls');
  if (!rekorUrl && !timestampServerUrl) {
    throw new UsageError({
      code: 'NO_TIMESTAMP_SOURCE',
      message:
        '--no-tlog-upload leaves the short-lived certificate without a timestamp: give --timestamp-server-url (or a signing config with tsaUrls)',
    });
  }
  return Object.freeze({ fulcioUrl, rekorUrl, timestampServerUrl });
}

interface Service {
  readonly url: string;
  readonly majorApiVersion: number;
  readonly start: number;
  readonly end: number | undefined;
}
type SigningConfig = Record<keyof typeof SUPPORTED, Service[]>;

export function parseSigningConfig(json: unknown): SigningConfig {
  if (!isRecord(json)) throw bad('', 'is not a JSON object');
  if (json.mediaType !== SIGNING_CONFIG_MEDIA_TYPE) {
    throw bad('mediaType', `is ${JSON.stringify(json.mediaType)}, expected "${SIGNING_CONFIG_MEDIA_TYPE}"`);
  }
  const services = (field: keyof typeof SUPPORTED): Service[] => {
    const list = json[field] ?? [];
    if (!Array.isArray(list)) throw bad(field, 'is not a list');
    return list.map((s, i) => {
      const at = `${field}[${i}]`;
      if (!isRecord(s)) throw bad(at, 'is not an object');
      if (typeof s.url !== 'string' || !isHttpUrl(s.url)) throw bad(`${at}.url`, 'is not an http(s) URL');
      if (typeof s.majorApiVersion !== 'number' || !Number.isInteger(s.majorApiVersion)) {
        throw bad(`${at}.majorApiVersion`, 'is not an integer');
      }
      const v = s.validFor;
      const start = isRecord(v) && typeof v.start === 'string' ? Date.parse(v.start) : Number.NaN;
      if (Number.isNaN(start)) throw bad(`${at}.validFor.start`, 'is missing or not a time');
      const end = isRecord(v) && typeof v.end === 'string' ? Date.parse(v.end) : undefined;
      if (end !== undefined && (Number.isNaN(end) || end < start))
        throw bad(`${at}.validFor.end`, 'is invalid');
      return { url: s.url, majorApiVersion: s.majorApiVersion, start, end };
    });
  };
  return {
    caUrls: services('caUrls'),
    rekorTlogUrls: services('rekorTlogUrls'),
    tsaUrls: services('tsaUrls'),
  };
}

/** The newest service valid now whose API version we speak. */
function selectService(config: SigningConfig, field: keyof typeof SUPPORTED, now: Date): string | undefined {
  const t = now.getTime();
  const usable = config[field]
    .filter(
      (s) => s.majorApiVersion <= SUPPORTED[field] && s.start <= t && (s.end === undefined || t <= s.end),
    )
    .sort((a, b) => b.start - a.start);
  return usable[0]?.url;
}

function url(value: string | undefined, flag: string): string | undefined {
  if (value === undefined) return undefined;
  if (!isHttpUrl(value)) {
    throw new UsageError({
      code: 'URL_INVALID',
      message: `${flag} ${JSON.stringify(value)} is not an http(s) URL`,
    });
  }
  return value.replace(/\/+$/, '');
}

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}

function bad(at: string, problem: string): InputError {
  return new InputError({
    code: 'SIGNING_CONFIG_INVALID',
    message: `signing config${at ? ` field ${at}` : ''} ${problem}; fix the file given with --signing-config`,
    details: { field: at },
  });
}
