import { describeSigner } from '@modelseal/verify';
import type { CdxComponent, CdxExternalReference, CdxModelCard, CdxProperty } from './cdx-types.ts';
import { dependencyComponents } from './dependencies.ts';
import { describeScan, fileComponents } from './files.ts';
import type { ModelBomInput, ModelCardFields } from './types.ts';

export const modelRef = (subjectDigest: string): string => `model:sha256:${subjectDigest}`;

/** The model as a `machine-learning-model` component with its files nested, and what it was built from. */
export function modelComponents(input: ModelBomInput): {
  model: CdxComponent;
  dependencies: readonly CdxComponent[];
} {
  const ref = modelRef(input.model.subjectDigest);
  const dependencies = dependencyComponents(input.builds);
  const datasets = dependencies.filter((d) => d.type === 'data' && d.data?.[0]?.type === 'dataset');
  const card = modelCard(input.card, datasets);
  const attestations: CdxExternalReference[] = input.attestations.flatMap((a) =>
    a.location
      ? [
          {
            type: 'attestation' as const,
            url: a.location,
            comment: `${a.predicateType} signed by ${describeSigner(a.signer)}`,
            hashes: [{ alg: 'SHA-256' as const, content: a.bundleDigest }],
          },
        ]
      : [],
  );
  const model: CdxComponent = {
    type: 'machine-learning-model',
    'bom-ref': ref,
    name: input.model.name,
    ...(input.card?.license ? { licenses: [{ license: { name: input.card.license } }] } : {}),
    ...(input.card && input.card.tags.length > 0 ? { tags: input.card.tags } : {}),
    ...(card ? { modelCard: card } : {}),
    ...(attestations.length > 0 ? { externalReferences: attestations } : {}),
    components: fileComponents({
      modelRef: ref,
      modelName: input.model.name,
      resources: input.model.resources,
      formats: input.formats,
      scans: input.scans,
    }),
    properties: modelProperties(input),
  };
  return { model, dependencies };
}

function modelProperties(input: ModelBomInput): CdxProperty[] {
  const p = (name: string, value: string): CdxProperty => ({ name: `modelseal:${name}`, value });
  const signers = [...new Set(input.attestations.map((a) => describeSigner(a.signer)))];
  return [
    p('digest', `sha256:${input.model.subjectDigest}`),
    p('resources', input.model.resourcesFrom === 'signature' ? 'as signed' : 'as hashed, not signed'),
    ...signers.map((s) => p('signer', s)),
    ...input.attestations.map((a) =>
      p(
        'attestation',
        `${a.predicateType} signed by ${describeSigner(a.signer)} (authority ${a.authority}, bundle sha256:${a.bundleDigest})`,
      ),
    ),
    ...input.builds.flatMap((b) => [
      p('slsa:builder', b.builderId),
      p('slsa:buildType', b.buildType),
      ...(b.invocationId ? [p('slsa:invocationId', b.invocationId)] : []),
      ...(b.startedOn ? [p('slsa:startedOn', b.startedOn)] : []),
      ...(b.finishedOn ? [p('slsa:finishedOn', b.finishedOn)] : []),
    ]),
    ...input.scans.filter((s) => s.file === undefined).map((s) => p('scan', describeScan(s))),
    ...(input.policy
      ? [
          p('policy', input.policy.policy),
          p('policy:verdict', input.policy.allowed ? 'pass' : 'fail'),
          ...input.policy.reasons.map((r) => p('policy:reason', `${r.code}: ${r.message}`)),
        ]
      : []),
  ];
}

function modelCard(
  card: ModelCardFields | undefined,
  datasets: readonly CdxComponent[],
): CdxModelCard | undefined {
  const params = {
    ...(card?.task ? { task: card.task } : {}),
    ...(card?.architectureFamily ? { architectureFamily: card.architectureFamily } : {}),
    ...(card?.architecture ? { modelArchitecture: card.architecture } : {}),
    // only datasets verified provenance names; the README's own list is a claim (properties)
    ...(datasets.length > 0 ? { datasets: datasets.map((d) => ({ ref: d['bom-ref'] })) } : {}),
  };
  const claimed = (name: string, values: readonly string[] = []) =>
    values.map((value) => ({ name: `modelseal:card:${name}`, value }));
  const properties = [
    ...claimed('dataset', card?.datasets),
    ...claimed('baseModel', card?.baseModels),
    ...claimed('language', card?.languages),
    ...claimed('libraryName', card?.libraryName ? [card.libraryName] : []),
  ];
  if (Object.keys(params).length === 0 && properties.length === 0) return undefined;
  return {
    ...(Object.keys(params).length > 0 ? { modelParameters: params } : {}),
    ...(properties.length > 0 ? { properties } : {}),
  };
}
