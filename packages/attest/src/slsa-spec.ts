import { InputError, isRecord, UsageError } from '@modelseal/core';

/** The `attest --spec` file for SLSA provenance; every field can also come from a flag. */
export interface SlsaSpec {
  readonly builderId?: string;
  readonly buildType?: string;
  readonly externalParameters?: Readonly<Record<string, unknown>>;
  readonly internalParameters?: Readonly<Record<string, unknown>>;
  /** paths or pinned URIs */
  readonly datasets?: readonly string[];
  readonly baseModels?: readonly string[];
  /** a git checkout directory */
  readonly source?: string;
  readonly startedOn?: string;
  readonly finishedOn?: string;
}

const FIELDS = [
  'builderId',
  'buildType',
  'externalParameters',
  'internalParameters',
  'datasets',
  'baseModels',
  'source',
  'startedOn',
  'finishedOn',
];

export function parseSlsaSpec(doc: unknown, source: string): SlsaSpec {
  const bad = (message: string): never => {
    throw new InputError({ code: 'SPEC_INVALID', message: `${source}: ${message}` });
  };
  if (!isRecord(doc)) return bad('a provenance spec must be a YAML/JSON object');
  for (const k of Object.keys(doc))
    if (!FIELDS.includes(k)) bad(`${k} is not a spec field (known: ${FIELDS.join(', ')})`);
  const str = (k: string) => {
    const v = doc[k];
    if (v !== undefined && (typeof v !== 'string' || v === '' || v.length > 8192))
      bad(`${k} must be a non-empty string`);
    return v as string | undefined;
  };
  const obj = (k: string) => {
    const v = doc[k];
    if (v !== undefined && !isRecord(v)) bad(`${k} must be an object`);
    return v as Record<string, unknown> | undefined;
  };
  const list = (k: string) => {
    const v = doc[k];
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.length > 1000 || !v.every((x) => typeof x === 'string' && x !== ''))
      bad(`${k} must be a list of paths or pinned URIs`);
    return v as string[];
  };
  const out: Record<string, unknown> = {
    builderId: str('builderId'),
    buildType: str('buildType'),
    externalParameters: obj('externalParameters'),
    internalParameters: obj('internalParameters'),
    datasets: list('datasets'),
    baseModels: list('baseModels'),
    source: str('source'),
    startedOn: str('startedOn'),
    finishedOn: str('finishedOn'),
  };
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out as SlsaSpec;
}

/** `k=v` flags -> object; later flags win; keys are plain names. */
export function parseKeyValues(pairs: readonly string[], flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs) {
    const eq = p.indexOf('=');
    const key = eq > 0 ? p.slice(0, eq) : '';
    if (!/^[A-Za-z0-9_.-]{1,128}$/.test(key) || key === '__proto__') {
      throw new UsageError({
        code: 'PARAMETER_INVALID',
        message: `${flag} ${JSON.stringify(p.slice(0, 200))} must be key=value`,
      });
    }
    out[key] = p.slice(eq + 1);
  }
  return out;
}
