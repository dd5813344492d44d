import { Spec, Validation } from '@cyclonedx/cyclonedx-library';

const validator = new Validation.JsonStrictValidator(Spec.Version.v1dot6);

/**
 * Schema errors of a CycloneDX 1.6 JSON document (strict: no unknown properties), or [] when it
 * is valid; plus the checks JSON Schema cannot express: unique bom-refs, dependency refs that exist.
 */
export async function cycloneDxErrors(bom: unknown): Promise<string[]> {
  const text = typeof bom === 'string' ? bom : JSON.stringify(bom);
  const schema = await validator.validate(text);
  const errors =
    schema === null
      ? []
      : (schema as { instancePath: string; message?: string }[]).map(
          (e) => `${e.instancePath}: ${e.message ?? 'invalid'}`,
        );
  const refs: string[] = [];
  const walk = (c: unknown): void => {
    if (c === null || typeof c !== 'object') return;
    const o = c as Record<string, unknown>;
    if (typeof o['bom-ref'] === 'string') refs.push(o['bom-ref']);
    for (const k of ['components']) if (Array.isArray(o[k])) for (const x of o[k]) walk(x);
  };
  const doc = JSON.parse(text) as {
    metadata?: { component?: unknown };
    components?: unknown[];
    dependencies?: { ref: string; dependsOn?: string[] }[];
  };
  walk(doc.metadata?.component);
  for (const c of doc.components ?? []) walk(c);
  const seen = new Set<string>();
  for (const r of refs) {
    if (seen.has(r)) errors.push(`duplicate bom-ref ${r}`);
    seen.add(r);
  }
  for (const d of doc.dependencies ?? [])
    for (const r of [d.ref, ...(d.dependsOn ?? [])])
      if (!seen.has(r)) errors.push(`dependency ref ${r} names no component`);
  return errors;
}
