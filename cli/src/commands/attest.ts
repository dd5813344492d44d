import { UsageError } from '@modelseal/core';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import type { AttestOptions, AttestResult } from '../flows/attest.ts';
import { err, type OutputFormat, outJson } from '../io.ts';
import { type AttestOutputArgs, attestOutputFrom, withAttestOutput } from '../options/attest-output.ts';
import { type SignerArgs, signerFrom, withSigner } from '../options/signer.ts';

interface AttestArgs extends SignerArgs, AttestOutputArgs {
  path?: string;
  subject?: string;
  type: string;
  predicate?: string;
  spec?: string;
  'builder-id'?: string;
  'build-type'?: string;
  'external-parameter'?: string[];
  dataset?: string[];
  'base-model'?: string[];
  source?: string;
  output: OutputFormat;
}

export const attestCommand: CommandModule<object, AttestArgs> = {
  command: 'attest [path]',
  describe:
    'sign an in-toto attestation (SLSA provenance, dataset provenance, any predicate) about a model or dataset, with a key (or key + certificate chain) or keylessly with Sigstore',
  builder: (y: Argv) =>
    withAttestOutput(withSigner(y))
      .positional('path', { type: 'string', describe: 'model or dataset (directory or file) to attest' })
      .option('subject', { type: 'string', describe: 'attest name@sha256:<hex> instead of hashing a path' })
      .option('type', {
        type: 'string',
        default: 'slsa',
        describe: 'slsa | dataset | oms | cyclonedx | scan | a predicate type URI',
      })
      .option('predicate', { type: 'string', describe: 'predicate JSON/YAML file (as cosign attest)' })
      .option('spec', {
        type: 'string',
        describe: 'SLSA or dataset spec file (YAML/JSON), see docs/provenance.md',
      })
      .option('builder-id', {
        type: 'string',
        describe: 'SLSA builder.id (detected in GitHub Actions / GitLab CI)',
      })
      .option('build-type', { type: 'string', describe: 'SLSA buildType URI' })
      .option('external-parameter', {
        type: 'string',
        array: true,
        describe: 'k=v build parameter; repeatable',
      })
      .option('dataset', { type: 'string', array: true, describe: 'dataset path or pinned URI; repeatable' })
      .option('base-model', {
        type: 'string',
        array: true,
        describe: 'base model path or pinned URI; repeatable',
      })
      .option('source', {
        type: 'string',
        describe: 'git checkout of the training code (remote + HEAD commit)',
      })
      .option('output', { alias: 'o', choices: ['text', 'json'] as const, default: 'text' as const })
      .check((a) => {
        // a coded usage error: main's fail handler passes ModelsealErrors through as they are
        if (a['path'] !== undefined && a['subject'] !== undefined)
          throw new UsageError({ code: 'TARGET_CONFLICT', message: 'give a path or --subject, not both' });
        if (a['path'] === undefined && a['subject'] === undefined)
          throw new UsageError({
            code: 'TARGET_MISSING',
            message: 'name what to attest: a path, or --subject name@sha256:<hex>',
          });
        return true;
      }) as unknown as Argv<AttestArgs>,
  handler: async (argv) => render(await run(await toOptions(argv))),
};

interface Options extends AttestOptions {
  readonly output: OutputFormat;
}

async function toOptions(a: ArgumentsCamelCase<AttestArgs>): Promise<Options> {
  const { predicateFor } = await import('@modelseal/attest');
  return {
    target: a.subject !== undefined ? { kind: 'ref', ref: a.subject } : { kind: 'path', path: a.path! },
    predicate: predicateFor(a.type),
    ...(a.predicate ? { predicateFile: a.predicate } : {}),
    ...(a.spec ? { specFile: a.spec } : {}),
    ...(a['builder-id'] ? { builderId: a['builder-id'] } : {}),
    ...(a['build-type'] ? { buildType: a['build-type'] } : {}),
    externalParameters: a['external-parameter'] ?? [],
    datasets: a.dataset ?? [],
    baseModels: a['base-model'] ?? [],
    ...(a.source ? { source: a.source } : {}),
    signer: await signerFrom(a),
    write: await attestOutputFrom(a),
    env: process.env,
    output: a.output,
  };
}

async function run(o: Options): Promise<AttestResult & { output: OutputFormat }> {
  const { runAttest } = await import('../flows/attest.ts');
  return { ...(await runAttest(o)), output: o.output };
}

function render(r: Awaited<ReturnType<typeof run>>): void {
  if (r.output === 'json') {
    outJson({
      ok: true,
      subject: r.subject,
      predicateType: r.predicateType,
      bundle: r.bundlePath,
      store: r.storePath,
    });
    return;
  }
  err(`attested ${r.subject.name} (${r.subject.digest}) with ${r.predicateType}`);
  if (r.bundlePath) err(`  bundle: ${r.bundlePath}`);
  if (r.storePath) err(`  store:  ${r.storePath}`);
}
