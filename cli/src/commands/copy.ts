import type { Argv, CommandModule } from 'yargs';
import type { CopyResult } from '../flows/copy.ts';
import { err, outJson } from '../io.ts';
import { type OutputArgs, withOutput } from '../options/output.ts';
import { type RegistryArgs, registryFrom, withRegistry } from '../options/registry.ts';

interface Args extends OutputArgs, RegistryArgs {
  from: string;
  to: string;
  subject?: string[];
  all: boolean;
}

export const copyCommand: CommandModule<object, Args> = {
  command: 'copy <from> <to>',
  describe:
    'copy attestations between stores (dir:PATH or a path, oci://REGISTRY/REPO), e.g. into an air-gapped mirror',
  builder: (y: Argv) =>
    withRegistry(withOutput(y))
      .positional('from', { type: 'string', demandOption: true, describe: 'source store' })
      .positional('to', { type: 'string', demandOption: true, describe: 'destination store' })
      .option('subject', {
        type: 'string',
        array: true,
        describe: 'sha256:<hex> of the model (its OCI manifest digest); repeatable',
      })
      .option('all', {
        type: 'boolean',
        default: false,
        describe: 'every subject of the source (a registry: its tags and referrers tags)',
      }) as Argv<Args>,
  handler: async (argv) => {
    const { copyAttestations, checkComplete } = await import('../flows/copy.ts');
    const r = await copyAttestations({
      from: argv.from,
      to: argv.to,
      subjects: argv.subject ?? [],
      all: argv.all,
      registry: await registryFrom(argv),
    });
    render(r, argv.output);
    checkComplete(r);
  },
};

function render(r: CopyResult, output: Args['output']): void {
  if (output === 'json') {
    outJson({ ok: r.failures.length === 0, copied: r.copied, present: r.present, failures: r.failures });
    return;
  }
  for (const c of r.copied) err(`copied ${c.subject} ${c.predicateType ?? ''}: ${c.from} -> ${c.to}`);
  err(`${r.copied.length} copied, ${r.present.length} already there, ${r.failures.length} failed`);
}
