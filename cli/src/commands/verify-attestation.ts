import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import type { VerifyAttestationOptions, VerifyAttestationResult } from '../flows/verify-attestation.ts';
import { err, type OutputFormat, outJson } from '../io.ts';
import { type RegistryArgs, registryFrom, withRegistry } from '../options/registry.ts';

interface VerifyAttestationArgs extends RegistryArgs {
  target: string;
  type?: string;
  policy?: string;
  key?: string[];
  'trusted-root'?: string;
  store?: string;
  bundle?: string[];
  output: OutputFormat;
}

export const verifyAttestationCommand: CommandModule<object, VerifyAttestationArgs> = {
  command: 'verify-attestation <target>',
  describe:
    'verify the attestations of a model or dataset (path, sha256:<hex> or OCI reference) against a policy',
  builder: (y: Argv) =>
    withRegistry(y)
      .positional('target', {
        type: 'string',
        demandOption: true,
        describe: 'model/dataset path, sha256:<hex>, or registry/repo:tag | registry/repo@sha256:<hex>',
      })
      .option('policy', {
        type: 'string',
        describe: 'ModelPolicy / ClusterModelPolicy YAML (docs/policy.md)',
      })
      .option('type', {
        type: 'string',
        describe: 'slsa | dataset | oms | cyclonedx | scan | URI: check only this predicate type',
      })
      .option('key', {
        type: 'string',
        array: true,
        describe: 'trusted public key PEM (instead of --policy)',
      })
      .option('trusted-root', {
        type: 'string',
        describe: 'Sigstore trusted_root.json for keyless authorities',
      })
      .option('store', {
        type: 'string',
        describe:
          'attestation store: dir:PATH, a path or oci://REGISTRY/REPO (default .modelseal/attestations; for a reference, its own repository)',
      })
      .option('bundle', {
        type: 'string',
        array: true,
        describe: 'extra bundle file(s) to consider; repeatable',
      })
      .option('output', {
        alias: 'o',
        choices: ['text', 'json'] as const,
        default: 'text' as const,
      }) as Argv<VerifyAttestationArgs>,
  handler: async (argv) => render(await run(await toOptions(argv))),
};

interface Options extends VerifyAttestationOptions {
  readonly output: OutputFormat;
}

async function toOptions(a: ArgumentsCamelCase<VerifyAttestationArgs>): Promise<Options> {
  const { resolvePredicateType } = await import('@modelseal/attest');
  return {
    target: a.target,
    ...(a.policy ? { policyFile: a.policy } : {}),
    ...(a.type ? { predicateType: resolvePredicateType(a.type) } : {}),
    keyFiles: a.key ?? [],
    ...(a['trusted-root'] ? { trustedRootFile: a['trusted-root'] } : {}),
    ...(a.store !== undefined ? { store: a.store } : {}),
    bundleFiles: a.bundle ?? [],
    registry: await registryFrom(a),
    output: a.output,
  };
}

async function run(o: Options) {
  const { runVerifyAttestation, summarize } = await import('../flows/verify-attestation.ts');
  const result: VerifyAttestationResult = await runVerifyAttestation(o);
  return { result, summary: summarize(result), output: o.output };
}

function render({ result: r, summary, output }: Awaited<ReturnType<typeof run>>): void {
  if (output === 'json') {
    outJson(summary);
    return;
  }
  const count = [...r.evidence.values()].reduce((n, e) => n + e.attestations.length, 0);
  err(
    `OK: ${r.subject.name} (${r.subject.digest}) satisfies policy ${r.decision.policy} (${count} verified attestations)`,
  );
}
