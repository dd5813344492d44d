import type { CdxComponent, CdxExternalReference, CdxProperty } from './cdx-types.ts';
import type { BomBuild, BomDependency } from './types.ts';

const HF_URI = /^hf:\/\/(?:models\/)?(.+)@([0-9a-f]{40})$/;

/** Each resolved dependency of the verified builds once, as a component the model depends on. */
export function dependencyComponents(builds: readonly BomBuild[]): CdxComponent[] {
  const byRef = new Map<string, CdxComponent>();
  for (const build of builds) {
    for (const d of build.dependencies) {
      const c = dependencyComponent(d);
      if (!byRef.has(c['bom-ref'])) byRef.set(c['bom-ref'], c);
    }
  }
  return [...byRef.values()];
}

export function dependencyRef(d: BomDependency): string {
  const id = d.sha256
    ? `sha256:${d.sha256}`
    : d.commit
      ? `${d.uri ?? d.name}@${d.commit}`
      : (d.uri ?? d.name);
  return `${d.role}:${id}`;
}

function dependencyComponent(d: BomDependency): CdxComponent {
  const hf = d.uri ? HF_URI.exec(d.uri) : null;
  const refs: CdxExternalReference[] = [];
  if (hf) refs.push({ type: 'distribution', url: `https://huggingface.co/${hf[1]}/tree/${hf[2]}` });
  const vcs = d.role === 'source' && d.uri ? vcsUrl(d.uri) : undefined;
  if (vcs) refs.push({ type: 'vcs', url: vcs, ...(d.commit ? { comment: `commit ${d.commit}` } : {}) });
  const properties: CdxProperty[] = [
    { name: 'modelseal:role', value: d.role },
    ...(d.uri ? [{ name: 'modelseal:uri', value: d.uri }] : []),
    ...(d.sha256 ? [{ name: 'modelseal:digest', value: `sha256:${d.sha256}` }] : []),
    ...(d.commit ? [{ name: 'modelseal:commit', value: d.commit }] : []),
    { name: 'modelseal:slsa:builder', value: d.builder },
  ];
  const common = {
    'bom-ref': dependencyRef(d),
    name: d.name,
    ...(d.commit ? { version: d.commit } : {}),
    ...(refs.length > 0 ? { externalReferences: refs } : {}),
    properties,
  };
  switch (d.role) {
    case 'base-model':
      return {
        type: 'machine-learning-model',
        ...common,
        // purl type `huggingface`: namespace/name@commit
        ...(hf && !hf[1]!.startsWith('datasets/') ? { purl: `pkg:huggingface/${hf[1]}@${hf[2]}` } : {}),
      };
    case 'dataset':
      return { type: 'data', ...common, data: [{ type: 'dataset', name: d.name }] };
    case 'source':
      return { type: 'data', ...common, data: [{ type: 'source-code', name: d.name }] };
    case 'other':
      return { type: 'data', ...common, data: [{ type: 'other', name: d.name }] };
    default:
      return assertNever(d.role);
  }
}

/** `git+https://host/x.git@refs/heads/main` -> `https://host/x.git` */
function vcsUrl(uri: string): string | undefined {
  const m = /^git\+(.+?)(?:@refs\/.*)?$/.exec(uri);
  return m?.[1];
}

function assertNever(x: never): never {
  throw new Error(`unhandled dependency role ${JSON.stringify(x)}`);
}
