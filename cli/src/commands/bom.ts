import { randomUUID } from 'node:crypto';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import type { BomOptions, BomResult } from '../flows/bom.ts';
import { err, type OutputFormat, outJson } from '../io.ts';
import { type PassphraseArgs, withPassphrase } from '../options/passphrase.ts';
import { type RegistryArgs, registryFrom, withRegistry } from '../options/registry.ts';
import { type SigstoreServiceArgs, withSigstoreServices } from '../options/sigstore.ts';

interface BomArgs extends PassphraseArgs, SigstoreServiceArgs, RegistryArgs {
  target: string;
  policy?: string;
  key?: string[];
  'trusted-root'?: string;
  store?: string;
  bundle?: string[];
  attest: boolean;
  'attest-key'?: string;
  'attest-certificate-chain'?: string[];
  'attest-bundle'?: string;
  output: OutputFormat;
}

const VERSION = '0.1.0';

export const bomCommand: CommandModule<object, BomArgs> = {
  command: 'bom <target>',
  describe:
    'a CycloneDX 1.6 ML-BOM of a model (path, sha256:<hex> or OCI reference): files and digests, verified signers, datasets and base model from provenance, formats, scans',
  builder: (y: Argv) =>
    withRegistry(withSigstoreServices(withPassphrase(y)))
      .positional('target', {
        type: 'string',
        demandOption: true,
        describe: 'model path, sha256:<hex>, or an OCI reference (registry/repo:tag, oci://…; docs/oci.md)',
      })
      .option('policy', {
        type: 'string',
        describe: 'ModelPolicy YAML: its authorities say whose attestations count; its verdict is recorded',
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
          'attestation store: dir:PATH, a path or oci://REGISTRY/REPO (default .modelseal/attestations, for a reference its own repository)',
      })
      .option('bundle', {
        type: 'string',
        array: true,
        describe: 'extra bundle file(s) to consider; repeatable',
      })
      .option('attest', {
        type: 'boolean',
        default: false,
        describe: 'sign the BOM as an attestation (https://cyclonedx.org/bom) into --store',
      })
      .option('attest-key', {
        type: 'string',
        describe: 'with --attest: private key PEM to sign with; omit to sign keylessly',
      })
      .option('attest-certificate-chain', {
        type: 'string',
        array: true,
        describe: 'with --attest-key: signing certificate first, then intermediates',
      })
      .option('attest-bundle', { type: 'string', describe: 'with --attest: also write the bundle here' })
      .option('output', {
        alias: 'o',
        choices: ['text', 'json'] as const,
        default: 'text' as const,
        describe: 'text: a summary on stderr; json: the CycloneDX BOM on stdout',
      })
      .check((a) => {
        if (!a['attest'] && (a['attest-key'] || a['attest-bundle'] || a['attest-certificate-chain']))
          throw new Error('--attest-key, --attest-certificate-chain and --attest-bundle need --attest');
        return true;
      }) as Argv<BomArgs>,
  handler: async (argv) => render(await run(await toOptions(argv))),
};

interface Options extends BomOptions {
  readonly output: OutputFormat;
}

async function toOptions(a: ArgumentsCamelCase<BomArgs>): Promise<Options> {
  const registry = await registryFrom(a);
  let attest: BomOptions['attest'];
  if (a.attest) {
    const { signerFrom } = await import('../options/signer.ts');
    const signer = await signerFrom({
      ...a,
      key: a['attest-key'],
      'certificate-chain': a['attest-certificate-chain'],
    });
    // no --store: filed where the model's attestations are read (runBom knows, once it has the target)
    attest = {
      signer,
      write: {
        ...(a.store !== undefined ? { store: a.store } : {}),
        registry,
        ...(a['attest-bundle'] ? { bundlePath: a['attest-bundle'] } : {}),
      },
    };
  }
  return {
    target: a.target,
    ...(a.policy ? { policyFile: a.policy } : {}),
    keyFiles: a.key ?? [],
    ...(a['trusted-root'] ? { trustedRootFile: a['trusted-root'] } : {}),
    ...(a['trust-config'] ? { trustConfigFile: a['trust-config'] } : {}),
    ...(a.store !== undefined ? { store: a.store } : {}),
    bundleFiles: a.bundle ?? [],
    registry,
    ...(attest ? { attest } : {}),
    tool: { name: 'modelseal', version: VERSION },
    now: new Date(),
    serialNumber: `urn:uuid:${randomUUID()}`,
    output: a.output,
  };
}

async function run(o: Options): Promise<BomResult & { output: OutputFormat }> {
  const { runBom } = await import('../flows/bom.ts');
  return { ...(await runBom(o)), output: o.output };
}

function render(r: Awaited<ReturnType<typeof run>>): void {
  for (const n of r.notes) err(`note: ${n}`);
  if (r.attested)
    err(
      `attested the BOM (https://cyclonedx.org/bom)${r.attested.storePath ? `: ${r.attested.storePath}` : ''}`,
    );
  if (r.output === 'json') {
    outJson(r.bom);
    return;
  }
  const model = r.bom.metadata.component;
  const values = (name: string) =>
    (model?.properties ?? []).filter((p) => p.name === name).map((p) => p.value);
  err(
    `BOM of ${r.subject.name} (${r.subject.digest}): ${model?.components?.length ?? 0} files ${values('modelseal:resources')[0] ?? ''}`,
  );
  for (const s of values('modelseal:signer')) err(`  signer:     ${s}`);
  for (const c of r.bom.components)
    err(
      `  ${(c.properties?.find((p) => p.name === 'modelseal:role')?.value ?? c.type).padEnd(11)} ${c.name}${c.version ? `@${c.version}` : ''}`,
    );
  err(
    `  policy ${r.decision.policy}: ${r.decision.allowed ? 'pass' : `fail (${r.decision.reasons.map((x) => x.code).join(', ')})`}`,
  );
  err('  (--output json prints the CycloneDX document)');
}
