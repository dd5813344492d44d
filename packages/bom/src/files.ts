import { parseShardName, type Resource } from '@modelseal/manifest';
import type { CdxComponent, CdxHash, CdxHashAlg, CdxProperty } from './cdx-types.ts';
import type { FileFormat, ScanVerdict } from './types.ts';

const ALGS: Readonly<Record<string, CdxHashAlg>> = {
  sha256: 'SHA-256',
  // model_signing's blake2b is hashlib.blake2b(): 64-byte digests
  blake2b: 'BLAKE2b-512',
  blake3: 'BLAKE3',
};

/**
 * One `file` component per file of the manifest, in manifest order, each with the digest the
 * manifest carries. A sharded manifest has no whole-file digest: its shards are listed as properties.
 */
export function fileComponents(input: {
  modelRef: string;
  modelName: string;
  resources: readonly Resource[];
  formats: ReadonlyMap<string, FileFormat>;
  scans: readonly ScanVerdict[];
}): CdxComponent[] {
  const files = new Map<string, { hashes: CdxHash[]; shards: CdxProperty[] }>();
  for (const r of input.resources) {
    const [base, shardSize] = r.algorithm.split('-sharded-');
    const alg = ALGS[base ?? ''];
    const shard = shardSize === undefined ? undefined : parseShardName(r.name);
    const file = shard?.path ?? r.name;
    const entry = files.get(file) ?? { hashes: [], shards: [] };
    files.set(file, entry);
    if (shard) {
      entry.shards.push({
        name: 'modelseal:shard',
        value: `${shard.start}:${shard.end} ${base}:${r.digest}`,
      });
    } else if (alg) entry.hashes.push({ alg, content: r.digest });
    else entry.shards.push({ name: 'modelseal:digest', value: `${r.algorithm}:${r.digest}` });
  }
  return [...files].map(([file, { hashes, shards }]) => {
    const format = input.formats.get(file);
    const scans = input.scans.filter((s) => s.file === file);
    const scannerFormat = scans.find((s) => s.format)?.format;
    const properties: CdxProperty[] = [
      ...(format ? [{ name: 'modelseal:format', value: format }] : []),
      ...(scannerFormat ? [{ name: 'modelseal:scan:format', value: scannerFormat }] : []),
      ...scans.map((s) => ({ name: 'modelseal:scan', value: describeScan(s) })),
      ...scans.flatMap((s) =>
        s.findings.map((f) => ({ name: 'modelseal:scan:finding', value: `${f.code}: ${f.message}` })),
      ),
      ...shards,
    ];
    return {
      type: 'file',
      'bom-ref': `${input.modelRef}/${file}`,
      // a single-file model is named `.` in its manifest
      name: file === '.' ? input.modelName : file,
      ...(hashes.length > 0 ? { hashes } : {}),
      ...(properties.length > 0 ? { properties } : {}),
    };
  });
}

export function describeScan(s: ScanVerdict): string {
  const scanner = s.scannerVersion ? `${s.scanner}@${s.scannerVersion}` : s.scanner;
  return `${s.verdict} by ${scanner}${s.attested ? ' (attested)' : ' (not attested)'}`;
}
