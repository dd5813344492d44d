import { comparePaths, resourceFile } from './order.ts';
import type { ManifestDiff, ManifestFields, Serialization } from './types.ts';

/**
 * What differs between a signed manifest and one computed from disk. Names are FILE names: a
 * sharded file is reported once however many of its shards differ. The subject digest plays no
 * part: it follows from the resources.
 */
export function diffManifests(signed: ManifestFields, actual: ManifestFields): ManifestDiff {
  const want = byFile(signed);
  const have = byFile(actual);
  const changed: string[] = [];
  const missing: string[] = [];
  const extra: string[] = [];
  for (const [file, resources] of want) {
    const got = have.get(file);
    if (got === undefined) missing.push(file);
    else if (!sameResources(resources, got)) changed.push(file);
  }
  for (const file of have.keys()) if (!want.has(file)) extra.push(file);
  return {
    changed: changed.sort(comparePaths),
    missing: missing.sort(comparePaths),
    extra: extra.sort(comparePaths),
    parameters: parameterDiff(signed.serialization, actual.serialization),
  };
}

/** file name -> (resource name -> algorithm + digest) */
function byFile(m: ManifestFields): Map<string, Map<string, string>> {
  const files = new Map<string, Map<string, string>>();
  for (const r of m.resources) {
    const file = resourceFile(r.name, m.serialization.method);
    let entry = files.get(file);
    if (!entry) {
      entry = new Map();
      files.set(file, entry);
    }
    entry.set(r.name, `${r.algorithm}:${r.digest.toLowerCase()}`);
  }
  return files;
}

function sameResources(a: Map<string, string>, b: Map<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [name, value] of a) if (b.get(name) !== value) return false;
  return true;
}

function parameterDiff(a: Serialization, b: Serialization): string[] {
  const out: string[] = [];
  if (a.method !== b.method) out.push('method');
  if (a.hashType !== b.hashType) out.push('hashType');
  const sa = a.method === 'shards' ? a.shardSize : undefined;
  const sb = b.method === 'shards' ? b.shardSize : undefined;
  if (a.method === b.method && sa !== sb) out.push('shardSize');
  if (a.allowSymlinks !== b.allowSymlinks) out.push('allowSymlinks');
  return out;
}
