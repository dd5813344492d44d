import { CYCLONEDX_SPEC_VERSION, type CycloneDxBom } from './cdx-types.ts';
import { modelComponents } from './model.ts';
import type { ModelBomInput } from './types.ts';

/**
 * A CycloneDX 1.6 ML-BOM of one model: the model is the BOM's subject (metadata.component) with
 * every file nested; datasets, base models and training code from verified provenance are
 * components it depends on. Same input, same bytes: order follows the manifest and the builds.
 */
export function modelBom(input: ModelBomInput): CycloneDxBom {
  const { model, dependencies } = modelComponents(input);
  return {
    $schema: 'http://cyclonedx.org/schema/bom-1.6.schema.json',
    bomFormat: 'CycloneDX',
    specVersion: CYCLONEDX_SPEC_VERSION,
    serialNumber: input.serialNumber,
    version: 1,
    metadata: {
      timestamp: input.timestamp,
      tools: { components: [{ type: 'application', ...input.tool }] },
      component: model,
    },
    components: dependencies,
    dependencies: [
      { ref: model['bom-ref'], dependsOn: dependencies.map((d) => d['bom-ref']) },
      ...dependencies.map((d) => ({ ref: d['bom-ref'], dependsOn: [] })),
    ],
  };
}
