import type { ObjectVerdict } from '@modelseal/admission';
import type { CommandModule } from 'yargs';
import { EXIT_CODES } from '../exit.ts';

import { err, type OutputFormat, outJson } from '../io.ts';
import { type RegistryArgs, withRegistry } from '../options/registry.ts';
import { EXAMPLES } from './examples.ts';

interface Argv extends RegistryArgs {
  manifest: string;
  policy: string;
  store?: string;
  namespace: string;
  'trusted-root'?: string;
  output: OutputFormat;
}

interface Options {
  readonly manifest: string;
  readonly policy: string;
  readonly store: string | undefined;
  readonly namespace: string;
  readonly trustedRoot: string | undefined;
  readonly output: OutputFormat;
  readonly registry: RegistryArgs;
}

const policyTestCommand: CommandModule<object, Argv> = {
  command: 'test <manifest>',
  describe:
    'run the admission webhook decision on local manifests (Pods and workloads); exit 7 if any is denied',
  builder: (y) =>
    (EXAMPLES['policy test'] ?? [])
      .reduce((acc, [cmd, what]) => acc.example(cmd, what), withRegistry(y))
      .positional('manifest', {
        type: 'string',
        demandOption: true,
        describe: 'YAML/JSON file, multi-document allowed',
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
        choices: ['text', 'json'] as const,
        default: 'text' as const,
        alias: 'o',
      }) as never,
  handler: async (argv) => {
    const options = toOptions(argv);
    const verdicts = await run(options);
    render(verdicts, options.output);
  },
};

/** `modelseal policy <subcommand>`; more policy subcommands join this group. */
export const policyCommand: CommandModule = {
  command: 'policy <command>',
  describe: 'work with model admission policies',
  builder: (y) =>
    y.command(policyTestCommand).demandCommand(1, 'name a policy subcommand, e.g. `policy test`'),
  handler: () => {},
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

async function run(o: Options): Promise<ObjectVerdict[]> {
  const admission = await import('@modelseal/admission');
  const { offlineAdmission } = await import('../flows/offline-admission.ts');
  const { docs, policies, checker } = await offlineAdmission(o);
  return admission.testManifests({ docs, policies, checker, namespace: o.namespace, deadlineMs: 60_000 });
}

function render(verdicts: readonly ObjectVerdict[], output: OutputFormat): void {
  const denied = verdicts.some((v) => v.verdict === 'denied');
  if (output === 'json') outJson({ ok: !denied, verdicts });
  else {
    for (const v of verdicts) {
      err(
        `${v.verdict.toUpperCase().padEnd(7)} ${v.object}${v.verdict === 'denied' ? `\n  ${v.message}` : ''}`,
      );
      for (const w of v.warnings ?? []) err(`  warning: ${w}`);
    }
    const n = (k: ObjectVerdict['verdict']) => verdicts.filter((v) => v.verdict === k).length;
    err(`${n('allowed')} allowed, ${n('denied')} denied, ${n('skipped')} skipped`);
  }
  // a denial is a verdict, not a failure of the command: report it through the policy exit code
  if (denied) process.exitCode = EXIT_CODES.policy;
}
