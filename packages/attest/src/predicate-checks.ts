import { type InputCode, InputError, isRecord } from '@modelseal/core';
import type { ResourceDescriptor } from './statement.ts';

/** Small typed checks shared by the predicate validators; every failure names the JSON path. */
export class Checker {
  readonly #what: string;
  readonly #code: InputCode;
  constructor(what: string, code: InputCode) {
    this.#what = what;
    this.#code = code;
  }

  fail(path: string, message: string): never {
    throw new InputError({
      code: this.#code,
      message: `${this.#what}: ${path} ${message}`,
      details: { path },
    });
  }

  object(v: unknown, path: string): Record<string, unknown> {
    if (!isRecord(v)) this.fail(path, 'must be an object');
    return v as Record<string, unknown>;
  }

  string(v: unknown, path: string, max = 8192): string {
    if (typeof v !== 'string' || v === '') this.fail(path, 'must be a non-empty string');
    if ((v as string).length > max) this.fail(path, `is longer than ${max} characters`);
    return v as string;
  }

  optionalString(v: unknown, path: string, max = 8192): string | undefined {
    return v === undefined ? undefined : this.string(v, path, max);
  }

  array(v: unknown, path: string, max: number): unknown[] {
    if (!Array.isArray(v)) this.fail(path, 'must be an array');
    if ((v as unknown[]).length > max)
      this.fail(path, `has ${(v as unknown[]).length} entries, over the limit of ${max}`);
    return v as unknown[];
  }

  timestamp(v: unknown, path: string): string | undefined {
    if (v === undefined) return undefined;
    const s = this.string(v, path, 64);
    if (!RFC3339.test(s) || Number.isNaN(Date.parse(s)))
      this.fail(path, 'must be an RFC 3339 timestamp like 2026-01-31T12:00:00Z');
    return s;
  }

  digestSet(v: unknown, path: string, required: boolean): Record<string, string> | undefined {
    if (v === undefined && !required) return undefined;
    const d = this.object(v, path);
    const entries = Object.entries(d);
    if (entries.length === 0 || entries.length > 16)
      this.fail(path, 'must hold 1..16 algorithm: hex digest entries');
    for (const [alg, hex] of entries) {
      if (!/^[a-z0-9_-]{1,32}$/i.test(alg)) this.fail(`${path}.${alg}`, 'is not an algorithm name');
      if (typeof hex !== 'string' || !/^[0-9a-f]{8,256}$/.test(hex))
        this.fail(`${path}.${alg}`, 'must be lowercase hex');
      if (alg === 'sha256' && hex.length !== 64) this.fail(`${path}.sha256`, 'must be 64 hex characters');
    }
    return d as Record<string, string>;
  }

  /** in-toto ResourceDescriptor: at least one of uri, digest, content. */
  resource(v: unknown, path: string): ResourceDescriptor {
    const r = this.object(v, path);
    this.optionalString(r['name'], `${path}.name`);
    this.optionalString(r['uri'], `${path}.uri`);
    this.digestSet(r['digest'], `${path}.digest`, false);
    if (r['content'] !== undefined && typeof r['content'] !== 'string')
      this.fail(`${path}.content`, 'must be base64 text');
    if (r['annotations'] !== undefined) this.object(r['annotations'], `${path}.annotations`);
    if (r['uri'] === undefined && r['digest'] === undefined && r['content'] === undefined)
      this.fail(path, 'needs at least one of uri, digest, content');
    return r as ResourceDescriptor;
  }
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
