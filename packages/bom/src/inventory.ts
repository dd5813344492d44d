import {
  type CdxComponent,
  type CdxProperty,
  CYCLONEDX_SPEC_VERSION,
  type CycloneDxBom,
} from './cdx-types.ts';
import { modelRef } from './model.ts';

/** A workload and the models it mounts, as the admission inventory reports them. */
export interface InventoryWorkload {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly verdict: 'allowed' | 'denied';
  readonly models: readonly {
    readonly policy: string;
    readonly volume: string;
    readonly reference: string;
    readonly digest?: string;
    readonly result: string;
    readonly signers: readonly string[];
    readonly reasons: readonly { readonly code: string; readonly message: string }[];
  }[];
}

export interface InventoryBomInput {
  readonly workloads: readonly InventoryWorkload[];
  readonly tool: { readonly name: string; readonly version: string };
  readonly timestamp: string;
  readonly serialNumber: string;
}

/**
 * A CycloneDX 1.6 BOM of what a cluster (or a set of manifests) runs: one component per workload,
 * one `machine-learning-model` component per model digest, and the graph of who mounts what.
 * Unpinned models have no digest: they appear under their reference, flagged as such.
 */
export function inventoryBom(input: InventoryBomInput): CycloneDxBom {
  const models = new Map<string, { component: CdxComponent; properties: CdxProperty[] }>();
  const workloads: CdxComponent[] = [];
  const dependencies: { ref: string; dependsOn: string[] }[] = [];
  for (const w of input.workloads) {
    const ref = `workload:${w.kind}/${w.namespace}/${w.name}`;
    const dependsOn: string[] = [];
    for (const m of w.models) {
      const id = m.digest ? modelRef(m.digest.replace(/^sha256:/, '')) : `model:unpinned:${m.reference}`;
      let entry = models.get(id);
      if (!entry) {
        entry = {
          component: { type: 'machine-learning-model', 'bom-ref': id, name: m.reference },
          properties: [{ name: 'modelseal:digest', value: m.digest ?? 'unpinned' }],
        };
        models.set(id, entry);
      }
      const props = entry.properties;
      for (const s of m.signers) add(props, 'modelseal:signer', s);
      add(props, 'modelseal:policy:result', `${m.policy}: ${m.result}`);
      if (!dependsOn.includes(id)) dependsOn.push(id);
    }
    workloads.push({
      type: 'application',
      'bom-ref': ref,
      name: `${w.namespace}/${w.name}`,
      properties: [
        { name: 'modelseal:k8s:kind', value: w.kind },
        { name: 'modelseal:k8s:namespace', value: w.namespace },
        { name: 'modelseal:k8s:name', value: w.name },
        { name: 'modelseal:admission', value: w.verdict },
        ...w.models.map((m) => ({
          name: 'modelseal:model',
          value: `${m.volume} ${m.digest ?? m.reference} ${m.policy}: ${m.result}${m.reasons.length ? ` (${m.reasons.map((r) => r.code).join(', ')})` : ''}`,
        })),
      ],
    });
    dependencies.push({ ref, dependsOn });
  }
  const modelComponents = [...models.values()].map((m) => ({ ...m.component, properties: m.properties }));
  return {
    $schema: 'http://cyclonedx.org/schema/bom-1.6.schema.json',
    bomFormat: 'CycloneDX',
    specVersion: CYCLONEDX_SPEC_VERSION,
    serialNumber: input.serialNumber,
    version: 1,
    metadata: { timestamp: input.timestamp, tools: { components: [{ type: 'application', ...input.tool }] } },
    components: [...workloads, ...modelComponents],
    dependencies: [...dependencies, ...modelComponents.map((m) => ({ ref: m['bom-ref'], dependsOn: [] }))],
  };
}

function add(props: CdxProperty[], name: string, value: string): void {
  if (!props.some((p) => p.name === name && p.value === value)) props.push({ name, value });
}
