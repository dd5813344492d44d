/**
 * node webhook/src/main.ts --tls-cert F --tls-key F [--port 8443] [--policy-file F]
 *                          [--store-dir D] [--kubernetes] [--deadline-ms 8000] [--trusted-root F]
 *                          [--store oci://REGISTRY/REPO ...] [--registry-auth-file F] [--registry-ca F]
 *                          [--allow-insecure-registry]
 *                          [--exclude-namespaces kube-system,<own namespace>]
 *                          [--verifier-image IMAGE]   (start-up checks: /mutate injects, /validate requires)
 *                          [--pin-tags off|patch|annotate] [--pin-cache-ms 30000]   (/mutate resolves tags)
 *                          [--reports]   (with --kubernetes: a PolicyReport per pod, reports.ts)
 * The edge: reads flags and files, composes the parts, handles signals. Exit 2 on bad flags.
 */
import { parseArgs } from 'node:util';
import { createEngine, DEFAULT_CHECKER_CONFIG, realVerify, type Store } from '@modelseal/admission';
import { isModelsealError, UsageError } from '@modelseal/core';
import { registryClient } from '@modelseal/oci';
import { parseReference } from '@modelseal/oci/reference';
import { parseStoreSpec } from '@modelseal/store';
import { loadTrustedRoot } from '@modelseal/verify/load';
import { type PolicySource, startWebhook } from './app.ts';
import { jsonLogger } from './log.ts';
import { registryTagResolver } from './pin-resolver.ts';
import { watchPolicyFiles } from './policy-files.ts';
import { DEFAULT_SERVER_CONFIG } from './server.ts';
import { openWebhookStores, registryOptions } from './stores.ts';

const log = jsonLogger();

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      port: { type: 'string', default: String(DEFAULT_SERVER_CONFIG.port) },
      host: { type: 'string', default: DEFAULT_SERVER_CONFIG.host },
      'policy-file': { type: 'string' },
      'store-dir': { type: 'string' },
      kubernetes: { type: 'boolean', default: false },
      'deadline-ms': { type: 'string', default: '8000' },
      'trusted-root': { type: 'string' },
      store: { type: 'string', multiple: true, default: [] },
      'registry-auth-file': { type: 'string' },
      'registry-ca': { type: 'string', multiple: true, default: [] },
      'allow-insecure-registry': { type: 'boolean', default: false },
      'registry-cache-fresh-ms': { type: 'string', default: '10000' },
      'exclude-namespaces': { type: 'string' },
      'verifier-image': { type: 'string' },
      reports: { type: 'boolean', default: false },
      'pin-tags': { type: 'string', default: 'off' },
      'pin-cache-ms': { type: 'string', default: '30000' },
    },
  });
  const certFile = values['tls-cert'];
  const keyFile = values['tls-key'];
  if (!certFile || !keyFile)
    throw new UsageError({ code: 'TLS_REQUIRED', message: '--tls-cert and --tls-key are required' });
  const port = Number(values.port);
  const deadlineMs = Number(values['deadline-ms']);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError({ code: 'BAD_PORT', message: `--port ${values.port} is not a TCP port` });
  }
  if (!Number.isInteger(deadlineMs) || deadlineMs < 100 || deadlineMs > 29_000) {
    throw new UsageError({
      code: 'BAD_DEADLINE',
      message: '--deadline-ms must be 100..29000 (below the webhook timeoutSeconds)',
    });
  }
  if (!values['policy-file'] && !values.kubernetes) {
    throw new UsageError({
      code: 'NO_POLICY_SOURCE',
      message: 'give --policy-file F or --kubernetes (ModelPolicy CRDs)',
    });
  }
  if (!values['store-dir'] && !values.kubernetes && values.store.length === 0) {
    throw new UsageError({
      code: 'NO_STORE',
      message: 'give --store-dir D, --store oci://REGISTRY/REPO or --kubernetes (ModelAttestation CRDs)',
    });
  }

  if (values.reports && !values.kubernetes) {
    throw new UsageError({
      code: 'REPORTS_NEED_KUBERNETES',
      message: '--reports needs --kubernetes (pods are read from the API server)',
    });
  }
  const verifierImage = values['verifier-image'];
  if (
    verifierImage !== undefined &&
    !/^[a-z0-9][A-Za-z0-9._\-/:]*(@sha256:[0-9a-f]{64})?$/.test(verifierImage)
  ) {
    throw new UsageError({
      code: 'BAD_VERIFIER_IMAGE',
      message: `--verifier-image ${JSON.stringify(verifierImage.slice(0, 200))} is not an image reference`,
    });
  }
  const pinMode = (['off', 'patch', 'annotate'] as const).find((m) => m === values['pin-tags']);
  if (pinMode === undefined) {
    throw new UsageError({
      code: 'BAD_PIN_TAGS',
      message: `--pin-tags ${JSON.stringify(String(values['pin-tags']).slice(0, 40))}: give off, patch or annotate`,
    });
  }
  const pinCacheMs = Number(values['pin-cache-ms']);
  if (!Number.isInteger(pinCacheMs) || pinCacheMs < 0 || pinCacheMs > 3_600_000) {
    throw new UsageError({ code: 'BAD_CACHE_TTL', message: '--pin-cache-ms must be 0..3600000' });
  }
  const pinRepositories = values.store.flatMap((s) => {
    const spec = parseStoreSpec(s);
    if (spec.kind !== 'oci') return [];
    // the form pod references are compared in (docker.io for index.docker.io, and so on)
    const ref = parseReference(`${spec.registry}/${spec.repository}`);
    return [`${ref.registry}/${ref.repository}`];
  });
  if (pinMode !== 'off' && pinRepositories.length === 0) {
    throw new UsageError({
      code: 'PIN_TAGS_NEED_REGISTRY',
      message: `--pin-tags ${pinMode} resolves tags only in the repositories named with --store oci://REGISTRY/REPO; give one`,
    });
  }
  const excludeNamespaces = parseExcludeNamespaces(values['exclude-namespaces'], process.env.POD_NAMESPACE);

  // keyless authorities without their own root get this one, put on them as policies are parsed
  const engine = createEngine({
    defaultTrustedRoot: loadTrustedRoot(values['trusted-root'], '--trusted-root'),
  });
  const kube = values.kubernetes
    ? await import('./kube.ts').then((m) => m.inClusterSources(engine, log))
    : undefined;
  const policies: PolicySource = values['policy-file']
    ? watchPolicyFiles(values['policy-file'], engine, log)
    : kube!.policies;
  // --store-dir D is openStore's dir:D; the kubernetes index is fed by kube.ts's informer;
  // registries (--store oci://…) are read through a bounded cache, all of them at once
  const store: Store & { ready?(): boolean } = await openWebhookStores(
    {
      ...(values['store-dir'] ? { storeDir: values['store-dir'] } : {}),
      stores: values.store,
      allowInsecureRegistry: values['allow-insecure-registry'],
      registryCa: values['registry-ca'],
      ...(values['registry-auth-file'] ? { registryAuthFile: values['registry-auth-file'] } : {}),
      deadlineMs,
      freshMs: Number(values['registry-cache-fresh-ms']),
    },
    // as before, --store-dir replaces the ModelAttestation index rather than joining it
    kube && !values['store-dir'] ? [kube.store] : [],
    log,
  );

  const registryFlags = {
    allowInsecureRegistry: values['allow-insecure-registry'],
    registryCa: values['registry-ca'],
    ...(values['registry-auth-file'] ? { registryAuthFile: values['registry-auth-file'] } : {}),
    deadlineMs,
  };
  const pin =
    pinMode === 'off'
      ? undefined
      : {
          mode: pinMode,
          resolver: registryTagResolver({
            client: registryClient(await registryOptions(registryFlags, log)),
            repositories: pinRepositories,
            freshMs: pinCacheMs,
          }),
        };

  const server = await startWebhook(
    {
      server: { ...DEFAULT_SERVER_CONFIG, tls: { certFile, keyFile }, port, host: values.host },
      deadlineMs,
      cache: DEFAULT_CHECKER_CONFIG,
      excludeNamespaces,
      ...(verifierImage ? { runtime: { image: verifierImage } } : {}),
      ...(pin ? { pin } : {}),
    },
    { policies, store, verify: realVerify, engine, log },
  );
  const reporter = values.reports
    ? await import('./reports.ts').then((m) =>
        m.startReportsOrWarn(kube!, {
          engine,
          deadlineMs,
          excludeNamespaces,
          busy: () => server.inflight() > 0,
          log,
        }),
      )
    : undefined;
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log('info', 'signal received, draining', { signal });
    await server.drain();
    await reporter?.stop();
    await kube?.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

/**
 * --exclude-namespaces a,b (globs allowed; "" excludes nothing). Default: kube-system and the
 * webhook's own namespace (POD_NAMESPACE, set by the chart from the downward API).
 */
function parseExcludeNamespaces(flag: string | undefined, ownNamespace: string | undefined): string[] {
  if (flag === undefined) return ['kube-system', ...(ownNamespace ? [ownNamespace] : [])];
  const list = flag
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const ns of list) {
    if (!/^[a-z0-9*]([-a-z0-9*]{0,61}[a-z0-9*])?$/.test(ns)) {
      throw new UsageError({
        code: 'BAD_EXCLUDE_NAMESPACES',
        message: `--exclude-namespaces: ${JSON.stringify(ns)} is not a namespace name or glob`,
      });
    }
  }
  return list;
}

main(process.argv.slice(2)).catch((e) => {
  const code = isModelsealError(e) ? e.code : ((e as { code?: string }).code ?? 'INTERNAL');
  log('error', 'webhook failed to start', { code, message: (e as Error).message });
  process.exit(isModelsealError(e) && e.kind === 'usage' ? 2 : 1);
});
