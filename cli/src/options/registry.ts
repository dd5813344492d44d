import { UsageError } from '@modelseal/core';
import type { CredentialResolver, RegistryClientOptions } from '@modelseal/oci';
import type { Argv } from 'yargs';
import { readUserFile } from './files.ts';

/** How the CLI reaches a registry: flags here, credentials from the user's docker/podman login. */
export interface RegistryArgs {
  'allow-insecure-registry': boolean;
  'registry-ca'?: string[];
  'registry-timeout': number;
}

export const withRegistry = <T>(y: Argv<T>): Argv<T & RegistryArgs> =>
  y
    .option('allow-insecure-registry', {
      type: 'boolean',
      default: false,
      describe: 'plain HTTP to a loopback registry (localhost, 127.0.0.0/8, [::1]) only; never elsewhere',
    })
    .option('registry-ca', {
      type: 'string',
      array: true,
      describe: 'PEM CA certificate(s) of a private registry, in addition to the system CAs',
    })
    .option('registry-timeout', {
      type: 'number',
      default: 30,
      describe: 'seconds for each registry request (connect, headers and body)',
    }) as Argv<T & RegistryArgs>;

/**
 * Registry client options from the flags. Credentials are read when a registry asks for them,
 * from $REGISTRY_AUTH_FILE, podman's auth.json or ~/.docker/config.json (credential helpers too).
 */
export async function registryFrom(argv: Partial<RegistryArgs>): Promise<RegistryClientOptions> {
  const seconds = argv['registry-timeout'] ?? 30;
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 600) {
    throw new UsageError({
      code: 'BAD_REGISTRY_TIMEOUT',
      message: '--registry-timeout must be a number of seconds above 0 and at most 600',
    });
  }
  const ca = (argv['registry-ca'] ?? []).map((f) =>
    readUserFile(f, 'registry CA certificate', '--registry-ca'),
  );
  // loaded when a registry first asks: commands on local paths never load the registry client
  let resolver: CredentialResolver | undefined;
  const credentials: CredentialResolver = async (registry, repository) => {
    resolver ??= (await import('@modelseal/oci')).dockerCredentials();
    return resolver(registry, repository);
  };
  return {
    credentials,
    allowInsecure: argv['allow-insecure-registry'] === true,
    timeoutMs: Math.round(seconds * 1000),
    ...(ca.length > 0 ? { ca } : {}),
    userAgent: 'modelseal-cli',
  };
}
