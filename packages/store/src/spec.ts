import { UsageError } from '@modelseal/core';

/** Where the CLI files attestations unless told otherwise; the docs name the same directory. */
export const DEFAULT_STORE_PATH = '.modelseal/attestations';

/**
 * A store named on a command line or in a config file. `dir:PATH` (or a bare path) is a directory
 * store; `kubernetes` the ModelAttestation objects a cluster informer feeds; `oci://registry/repo`
 * the shape an OCI referrers store will take (parsed now so specs are checked the same everywhere).
 */
export type StoreSpec =
  | { readonly kind: 'dir'; readonly path: string }
  | { readonly kind: 'kubernetes' }
  | { readonly kind: 'oci'; readonly registry: string; readonly repository: string };

const MAX_SPEC = 4096;
/** host or IPv4 with an optional port; IPv6 literals in brackets */
const REGISTRY_RE =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$/;
/** OCI distribution-spec repository name: lowercase path components joined by separators */
const REPOSITORY_RE = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;
const SCHEME_RE = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;

function invalid(spec: string, why: string): never {
  throw new UsageError({
    code: 'STORE_SPEC_INVALID',
    message: `store ${JSON.stringify(spec.slice(0, 200))} ${why}; use dir:PATH (or a path), kubernetes, or oci://REGISTRY/REPOSITORY`,
    details: { spec: spec.slice(0, 200) },
  });
}

/** Parses a store spec; every malformed spec is a coded usage error, nothing is guessed. */
export function parseStoreSpec(spec: string): StoreSpec {
  if (typeof spec !== 'string' || spec === '') invalid(String(spec ?? ''), 'is empty');
  if (spec.length > MAX_SPEC) invalid(spec, `is longer than ${MAX_SPEC} characters`);
  if (spec.includes('\0')) invalid(spec, 'contains a NUL byte');
  if (spec === 'kubernetes') return { kind: 'kubernetes' };
  if (spec.startsWith('dir:')) {
    const path = spec.slice('dir:'.length);
    if (path === '') invalid(spec, 'names no directory after dir:');
    return { kind: 'dir', path };
  }
  const scheme = SCHEME_RE.exec(spec)?.[1]?.toLowerCase();
  if (scheme === 'oci') return parseOci(spec);
  if (scheme !== undefined) invalid(spec, `has the unknown scheme ${scheme}://`);
  return { kind: 'dir', path: spec };
}

function parseOci(spec: string): StoreSpec {
  const rest = spec.slice('oci://'.length);
  const slash = rest.indexOf('/');
  const registry = slash < 0 ? rest : rest.slice(0, slash);
  const repository = slash < 0 ? '' : rest.slice(slash + 1);
  if (registry === '' || !REGISTRY_RE.test(registry)) invalid(spec, 'names no valid registry host');
  const port = /:(\d+)$/.exec(registry)?.[1];
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535))
    invalid(spec, `has the port ${port}, outside 1..65535`);
  if (repository === '') invalid(spec, 'names no repository after the registry');
  if (/[@:]/.test(repository))
    invalid(spec, 'names a tag or digest; a store is a repository, bundles are found by subject');
  if (!REPOSITORY_RE.test(repository))
    invalid(spec, 'has a repository that is not a lowercase OCI name (a-z, 0-9, separators . _ __ -, /)');
  return { kind: 'oci', registry: registry.toLowerCase(), repository };
}

/** The spec written back in its canonical form, for messages and logs. */
export function formatStoreSpec(spec: StoreSpec): string {
  switch (spec.kind) {
    case 'dir':
      return `dir:${spec.path}`;
    case 'kubernetes':
      return 'kubernetes';
    case 'oci':
      return `oci://${spec.registry}/${spec.repository}`;
    default:
      return spec satisfies never;
  }
}
