/**
 * The webhook's attestation stores from its flags: `--store-dir D`, the Kubernetes index, and any
 * number of `--store oci://registry/repository`. Each registry sits behind a bounded cache that
 * answers from an older lookup, inside the decision deadline, while the registry is down or slow.
 * Edge: reads the CA and docker config files named on the command line.
 */
import type { Store } from '@modelseal/admission';
import { UsageError } from '@modelseal/core';
import { FILE_LIMITS, readUserBytes } from '@modelseal/input';
import type { RegistryClientOptions } from '@modelseal/oci';
import { cachedStore, combinedStores, openStore, parseStoreSpec } from '@modelseal/store';

export interface WebhookStoreFlags {
  readonly storeDir?: string;
  readonly stores: readonly string[];
  readonly allowInsecureRegistry: boolean;
  readonly registryCa: readonly string[];
  /** a docker config.json (e.g. a mounted kubernetes.io/dockerconfigjson Secret) */
  readonly registryAuthFile?: string;
  readonly deadlineMs: number;
  /** registry answers younger than this are served from the cache without asking */
  readonly freshMs: number;
}

export type RegistryFlags = Pick<
  WebhookStoreFlags,
  'allowInsecureRegistry' | 'registryCa' | 'registryAuthFile' | 'deadlineMs'
>;

/** How the webhook talks to registries, for its stores and its tag pinning alike. */
export async function registryOptions(
  flags: RegistryFlags,
  log: (level: 'info' | 'error', msg: string, fields?: Record<string, unknown>) => void,
): Promise<RegistryClientOptions> {
  const { dockerCredentials } = await import('@modelseal/oci');
  return {
    // podman's variable: the one file read, so the pod's credentials are exactly the Secret
    credentials: dockerCredentials({
      env: flags.registryAuthFile ? { REGISTRY_AUTH_FILE: flags.registryAuthFile } : {},
      home: '/nonexistent',
    }),
    allowInsecure: flags.allowInsecureRegistry,
    ...(flags.registryCa.length > 0
      ? {
          ca: flags.registryCa.map((path) =>
            Buffer.from(
              readUserBytes({
                path,
                what: 'registry CA',
                flag: '--registry-ca',
                maxBytes: FILE_LIMITS.key,
              }),
            ),
          ),
        }
      : {}),
    // a lookup may finish after its decision was answered, to refresh the cache; never much later
    timeoutMs: flags.deadlineMs,
    userAgent: 'modelseal-webhook',
    log: (line: string) => log('info', 'registry', { request: line }),
  };
}

export async function openWebhookStores(
  flags: WebhookStoreFlags,
  extra: readonly (Store & { ready?(): boolean })[],
  log: (level: 'info' | 'error', msg: string, fields?: Record<string, unknown>) => void,
): Promise<Store & { ready?(): boolean }> {
  const stores: (Store & { location?: string; ready?(): boolean })[] = [...extra];
  if (flags.storeDir) stores.push(openStore({ kind: 'dir', path: flags.storeDir }).store);
  if (!Number.isInteger(flags.freshMs) || flags.freshMs < 0 || flags.freshMs > 3_600_000) {
    throw new UsageError({
      code: 'BAD_CACHE_TTL',
      message: '--registry-cache-fresh-ms must be 0..3600000',
    });
  }
  const specs = flags.stores.map((s) => parseStoreSpec(s));
  if (specs.some((s) => s.kind === 'oci')) {
    const registry = await registryOptions(flags, log);
    for (const spec of specs) {
      if (spec.kind !== 'oci') continue;
      const opened = openStore(spec, { registry });
      stores.push(
        Object.assign(
          cachedStore(opened.store, {
            freshMs: flags.freshMs,
            answerWithinMs: Math.floor(flags.deadlineMs / 2),
          }),
          {
            location: opened.store.location,
          },
        ),
      );
    }
  }
  for (const spec of specs) {
    if (spec.kind === 'dir') stores.push(openStore(spec).store);
    if (spec.kind === 'kubernetes') {
      throw new UsageError({
        code: 'STORE_UNSUPPORTED',
        message: '--store kubernetes: use --kubernetes (the informer feeds that store)',
      });
    }
  }
  if (stores.length === 0) {
    throw new UsageError({
      code: 'NO_STORE',
      message: 'give --store-dir D, --store oci://REGISTRY/REPO or --kubernetes (ModelAttestation CRDs)',
    });
  }
  const combined = combinedStores(stores);
  return {
    find: (subject, predicateType) => combined.find(subject, predicateType),
    ready: () => stores.every((s) => s.ready?.() ?? true),
  };
}
