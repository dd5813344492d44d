import { PREDICATE_TYPES } from './predicate.ts';
import { Checker } from './predicate-checks.ts';

export const CYCLONEDX_BOM = PREDICATE_TYPES.cyclonedx;
const MAX_COMPONENTS = 1_000_000;

/**
 * The envelope of a CycloneDX JSON BOM as an in-toto predicate (in-toto's `cyclonedx` predicate):
 * enough to refuse what is not a BOM. Full schema validation is the BOM writer's job and is tested
 * there (@modelseal/bom against the CycloneDX 1.6 schema).
 */
export function parseCycloneDxPredicate(value: unknown): Readonly<Record<string, unknown>> {
  const c = new Checker('CycloneDX BOM', 'CYCLONEDX_INVALID');
  const bom = c.object(value, 'predicate');
  if (bom['bomFormat'] !== 'CycloneDX') c.fail('bomFormat', 'must be "CycloneDX"');
  const spec = c.string(bom['specVersion'], 'specVersion', 16);
  if (!/^1\.\d+$/.test(spec)) c.fail('specVersion', 'must be a CycloneDX 1.x version such as "1.6"');
  if (bom['components'] !== undefined) c.array(bom['components'], 'components', MAX_COMPONENTS);
  if (bom['metadata'] !== undefined) c.object(bom['metadata'], 'metadata');
  return bom;
}
