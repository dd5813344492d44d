import { randomUUID } from 'node:crypto';
import type { WorkloadEntry } from '@modelseal/admission';
import type { CommandModule } from 'yargs';
import { err, outJson } from '../io.ts';
import { type RegistryArgs, withRegistry } from '../options/registry.ts';

type InventoryFormat = 'text' | 'json' | 'cyclonedx';

interface Argv extends RegistryArgs {
  manifest: string;
  policy: string;
  store?: string;
  namespace: string;
  'trusted-root'?: string;
  output: InventoryFormat;
}

interface Options {
  readonly manifest: string;
  readonly policy: string;
  readonly store: string | undefined;
  readonly namespace: string;
  readonly trustedRoot: string | undefined;
  readonly output: InventoryFormat;
  readonly registry: RegistryArgs;
}

export const inventoryCommand: CommandModule<object, Argv> = {
  command: 'inventory <manifest>',
  describe:
    'what Pods and workloads run, offline from manifests: their models, digests, signers and the verdict under the policies',
  builder: (y) =>
    withRegistry(y)
      .positional('manifest', {
        type: 'string',
        demandOption: true,
        describe: 'YAML/JSON file of Pods/workloads, multi-document allowed',
      })
      .option('policy', {
        type: 'string',
        demandOption: true,
        describe: 'ModelPolicy/ClusterModelPolicy file or directory',
      })
      .option('store', {
        type: 'string',
        describe: 'attestation store: dir:PATH, a path or oci://REGISTRY/REPO (none: nothing is attested)',
      })
      .option('namespace', {
        type: 'string',
        default: 'default',
        describe: 'namespace for objects that name none',
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
  return Object.freeze({
    manifest: argv.manifest,
    policy: argv.policy,
    store: argv.store,
    namespace: argv.namespace,
    trustedRoot: argv['trusted-root'],
    output: argv.output,
    registry: argv,
  });
}

async function run(o: Options): Promise<WorkloadEntry[]> {
  const { inventoryOfManifests } = await import('@modelseal/admission');
  const { offlineAdmission } = await import('../flows/offline-admission.ts');
  const { docs, policies, checker } = await offlineAdmission(o);
  return inventoryOfManifests({
    docs,
    namespace: o.namespace,
    deps: { policies, checker, deadlineMs: 60_000 },
  });
}

async function render(entries: readonly WorkloadEntry[], output: InventoryFormat): Promise<void> {
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
      err(`${entries.length} workloads, ${entries.reduce((n, w) => n + w.models.length, 0)} model mounts`);
      return;
    default:
      return output satisfies never;
  }
}
