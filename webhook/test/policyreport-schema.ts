/**
 * Checks an object against the PolicyReport CRD's openAPIV3Schema as the API server would: schema
 * errors are rejections, and a field the schema does not name (the server would silently prune it)
 * is reported too, so a misspelt field cannot pass.
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { parse } from 'yaml';

const CRD = new URL('./policyreport-crd.yaml', import.meta.url);

export function loadPolicyReportSchema(): Record<string, unknown> {
  const crd = parse(readFileSync(CRD, 'utf8'));
  return crd.spec.versions.find((v: { name: string }) => v.name === 'v1alpha2').schema.openAPIV3Schema;
}

/** structural schema -> JSON Schema: no extension keywords, no unknown fields where fields are named */
function toJsonSchema(s: unknown): unknown {
  if (Array.isArray(s)) return s.map(toJsonSchema);
  if (typeof s !== 'object' || s === null) return s;
  const o = s as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (k.startsWith('x-kubernetes-') || k === 'format') continue;
    out[k] =
      k === 'properties'
        ? Object.fromEntries(Object.entries(v as object).map(([p, d]) => [p, toJsonSchema(d)]))
        : toJsonSchema(v);
  }
  if (
    o.properties !== undefined &&
    o.additionalProperties === undefined &&
    !o['x-kubernetes-preserve-unknown-fields']
  )
    out.additionalProperties = false;
  return out;
}

const ajv = new Ajv({ allErrors: true, strict: false });
const check = ajv.compile(toJsonSchema(loadPolicyReportSchema()) as object);

export function policyReportErrors(o: unknown): string[] {
  if (check(o)) return [];
  return (check.errors ?? []).map(
    (e) =>
      `${e.instancePath || '/'} ${e.message}${e.params && 'additionalProperty' in e.params ? ` (${e.params.additionalProperty})` : ''}`,
  );
}
