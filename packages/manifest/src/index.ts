export type { HashOptions, HashType, Manifest, ManifestDiff, Resource, Serialization } from './types.ts';
// hashModel(path, options): Promise<Manifest>          -- walks + hashes (fs edge)
// compareResourceNames(a, b): number                   -- OMS canonical order
// diffManifests(signed, actual): ManifestDiff          -- pure
// subjectDigest(manifest): string                      -- sha256 over raw resource digests, hex
