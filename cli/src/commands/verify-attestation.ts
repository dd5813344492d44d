import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import type { VerifyAttestationOptions, VerifyAttestationResult } from '../flows/verify-attestation.ts';
import { err, type OutputFormat, outJson } from '../io.ts';
import { type RegistryArgs, registryFrom, withRegistry } from '../options/registry.ts';
import { repeatable } from '../options/repeatable.ts';
import { type SigstoreTrustArgs, withSigstoreTrust } from '../options/sigstore.ts';

interface VerifyAttestationArgs extends RegistryArgs, SigstoreTrustArgs {
  target: string;
  type?: string;
  policy?: string;
  key?: string[];
  store?: string;
  bundle?: string[];
  output: OutputFormat;
}

export const verifyAttestationCommand: CommandModule<object, VerifyAttestationArgs> = {
  command: 'verify-attestation <target>',
  describe:
    'verify the attestations of a model or dataset (path, sha256:<hex> or OCI reference) against a policy',
  builder: (y: Argv) =>
    withSigstoreTrust(withRegistry(y))
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
        alias: ['public-key'],
        ...repeatable('trusted public key PEM (instead of --policy)'),
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
    identity: {
      ...(a['certificate-identity'] ? { identity: a['certificate-identity'] } : {}),
      ...(a['certificate-identity-regexp'] ? { identityRegexp: a['certificate-identity-regexp'] } : {}),
      ...(a['certificate-oidc-issuer'] ? { issuer: a['certificate-oidc-issuer'] } : {}),
      ...(a['certificate-oidc-issuer-regexp'] ? { issuerRegexp: a['certificate-oidc-issuer-regexp'] } : {}),
    },
    ...(a['trusted-root'] ? { trustedRootFile: a['trusted-root'] } : {}),
    ...(a['trust-config'] ? { trustConfigFile: a['trust-config'] } : {}),
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
