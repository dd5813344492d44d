/**
 * How a single-file model's one resource is named. OMS v1.0 (§6.1) names it by the file's
 * basename; model_signing 1.1 names it `.` (the file relative to itself) and its verifier expects
 * that. Signing picks one; verifying accepts either, since the digest, not the name, binds the bytes.
 */
import { basename } from 'node:path';
import type { Manifest, Resource, Serialization } from '@modelseal/manifest';

export type SingleFileName = 'basename' | 'dot';

const SHARD = /^(.*):(\d+):(\d+)$/;

/** The file a resource name belongs to (`w.bin:0:10` -> `w.bin`), by the manifest's method. */
function fileOf(name: string, s: Serialization): string {
  return s.method === 'shards' ? (SHARD.exec(name)?.[1] ?? name) : name;
}

function renamed(r: Resource, s: Serialization, to: string): Resource {
  const shard = s.method === 'shards' ? SHARD.exec(r.name) : null;
  return { ...r, name: shard ? `${to}:${shard[2]}:${shard[3]}` : to };
}

/** A hashed single-file manifest (`.`) renamed as signing asks. */
export function nameSingleFile(m: Manifest, model: string, how: SingleFileName): Manifest {
  if (how === 'dot') return m;
  const to = basename(model);
  return { ...m, resources: m.resources.map((r) => renamed(r, m.serialization, to)) };
}

/** The hashed single file (`.`) named as the signature names it, when it names one file. */
export function matchSingleFile(actual: Manifest, signed: readonly Resource[], s: Serialization): Manifest {
  const files = new Set(signed.map((r) => fileOf(r.name, s)));
  const [only] = files;
  if (files.size !== 1 || only === undefined || only === '.') return actual;
  return { ...actual, resources: actual.resources.map((r) => renamed(r, actual.serialization, only)) };
}
