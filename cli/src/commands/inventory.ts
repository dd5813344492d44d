import { randomUUID } from 'node:crypto';
import type { WorkloadEntry } from '@modelseal/admission';
import { UsageError } from '@modelseal/core';
import type { CommandModule } from 'yargs';
import { err, outJson } from '../io.ts';
import { type RegistryArgs, withRegistry } from '../options/registry.ts';

type InventoryFormat = 'text' | 'json' | 'cyclonedx';

interface Argv extends RegistryArgs {
  manifest?: string;
  policy?: string;
  store?: string;
  namespace?: string;
  'trusted-root'?: string;
  kubeconfig?: string;
  context?: string;
  output: InventoryFormat;
}

type Source =
  | {
      readonly kind: 'manifests';
      readonly manifest: string;
      readonly policy: string;
      readonly namespace: string;
    }
  | {
      readonly kind: 'cluster';
      readonly kubeconfig: string;
      readonly context: string | undefined;
      readonly policy: string | undefined;
      readonly namespace: string | undefined;
    };

interface Options {
  readonly source: Source;
  readonly store: string | undefined;
  readonly trustedRoot: string | undefined;
  readonly output: InventoryFormat;
  readonly registry: RegistryArgs;
}

export const inventoryCommand: CommandModule<object, Argv> = {
  command: 'inventory [manifest]',
  describe:
    'what Pods and workloads run, from manifests or a live cluster: their models, digests, signers and the verdict under the policies',
  builder: (y) =>
    withRegistry(y)
      .positional('manifest', {
        type: 'string',
        describe: 'YAML/JSON file of Pods/workloads, multi-document allowed (or --kubeconfig)',
      })
      .option('kubeconfig', {
        type: 'string',
        describe:
          "a live cluster instead: its running pods, policy objects and ModelAttestations, as the webhook's reporter sees them",
      })
      .option('context', { type: 'string', describe: 'kubeconfig context (default: its current-context)' })
      .option('policy', {
        type: 'string',
        describe:
          'ModelPolicy/ClusterModelPolicy file or directory (required with manifests; with --kubeconfig it replaces the cluster policies: what-if)',
      })
      .option('store', {
        type: 'string',
        describe:
          'attestation store: dir:PATH, a path or oci://REGISTRY/REPO (manifests: none means nothing is attested; --kubeconfig: replaces the ModelAttestation objects)',
      })
      .option('namespace', {
        type: 'string',
        describe:
          'manifests: namespace for objects that name none (default "default"); --kubeconfig: only this namespace',
      })
      .option('trusted-root', {
        type: 'string',
        describe: 'trusted_root.json for keyless authorities without their own',
      })
      .option('output', {
        alias: 'o',
        choices: ['text', 'json', 'cyclonedx'] as const,
        default: 'text' as const,
        describe: 'text on stderr; json or a CycloneDX 1.6 BOM on stdout',
      }) as never,
  handler: async (argv) => {
    const o = toOptions(argv);
    await render(await run(o), o.output);
  },
};

function toOptions(argv: Argv): Options {
  if (argv.manifest !== undefined && argv.kubeconfig !== undefined)
    throw new UsageError({ code: 'TARGET_CONFLICT', message: 'give manifests or --kubeconfig, not both' });
  if (argv.manifest === undefined && argv.kubeconfig === undefined)
    throw new UsageError({
      code: 'TARGET_MISSING',
      message: 'give a manifest file, or --kubeconfig FILE for a live cluster',
    });
  if (argv.context !== undefined && argv.kubeconfig === undefined)
    throw new UsageError({
      code: 'USAGE_CONFLICT',
      message: '--context names a kubeconfig context; give --kubeconfig',
    });
  let source: Source;
  if (argv.kubeconfig !== undefined) {
    source = {
      kind: 'cluster',
      kubeconfig: argv.kubeconfig,
      context: argv.context,
      policy: argv.policy,
      namespace: argv.namespace,
    };
  } else {
    if (argv.policy === undefined)
      throw new UsageError({ code: 'USAGE', message: 'inventory of manifests needs --policy FILE|DIR' });
    source = {
      kind: 'manifests',
      manifest: argv.manifest!,
      policy: argv.policy,
      namespace: argv.namespace ?? 'default',
    };
  }
  return Object.freeze({
    source,
    store: argv.store,
    trustedRoot: argv['trusted-root'],
    output: argv.output,
    registry: argv,
  });
}

/** the workloads, and for a cluster how many running pods were looked at */
async function run(o: Options): Promise<{ entries: WorkloadEntry[]; pods?: number }> {
  const s = o.source;
  switch (s.kind) {
    case 'manifests': {
      const { inventoryOfManifests } = await import('@modelseal/admission');
      const { offlineAdmission } = await import('../flows/offline-admission.ts');
      const { docs, policies, checker } = await offlineAdmission({
        ...s,
        store: o.store,
        trustedRoot: o.trustedRoot,
        registry: o.registry,
      });
      const entries = await inventoryOfManifests({
        docs,
        namespace: s.namespace,
        deps: { policies, checker, deadlineMs: 60_000 },
      });
      return { entries };
    }
    case 'cluster': {
      const { clusterInventory } = await import('../flows/cluster-inventory.ts');
      const { pods, workloads } = await clusterInventory({
        ...s,
        store: o.store,
        trustedRoot: o.trustedRoot,
        registry: o.registry,
      });
      return { entries: workloads, pods };
    }
    default:
      return s satisfies never;
  }
}

async function render(
  { entries, pods }: { entries: readonly WorkloadEntry[]; pods?: number },
  output: InventoryFormat,
): Promise<void> {
  switch (output) {
    case 'json':
      outJson({ ok: true, workloads: entries });
      return;
    case 'cyclonedx': {
      const { inventoryBom } = await import('@modelseal/bom');
      outJson(
        inventoryBom({
          workloads: entries,
          tool: { name: 'modelseal', version: '0.1.0' },
          timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
          serialNumber: `urn:uuid:${randomUUID()}`,
        }),
      );
      return;
    }
    case 'text':
      for (const w of entries) {
        err(`${w.verdict.toUpperCase().padEnd(7)} ${w.kind} ${w.namespace}/${w.name}`);
        if (w.models.length === 0) err('  no models under the policies that apply');
        for (const m of w.models) {
          const signers = m.signers.join(', ') || 'none';
          const why = m.reasons.map((r) => r.code).join(', ');
          err(
            `  ${m.result.padEnd(5)} ${m.volume}: ${m.digest ?? m.reference} (policy ${m.policy}; signers ${signers})${why ? ` ${why}` : ''}`,
          );
        }
      }
      err(
        `${entries.length} workloads, ${entries.reduce((n, w) => n + w.models.length, 0)} model mounts${pods === undefined ? '' : ` (of ${pods} running pods)`}`,
      );
      return;
    default:
      return output satisfies never;
  }
}
