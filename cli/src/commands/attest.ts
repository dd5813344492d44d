import { UsageError } from '@modelseal/core';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import type { AttestOptions, AttestResult } from '../flows/attest.ts';
import { err, type OutputFormat, out, outJson } from '../io.ts';
import { type RegistryArgs, registryFrom, withRegistry } from '../options/registry.ts';
import { type SignerArgs, signerFrom, withSigner } from '../options/signer.ts';
import { classifyTarget, type Target } from '../options/target.ts';

interface AttestArgs extends SignerArgs, RegistryArgs {
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
  bundle?: string;
  store?: string | false;
  output: OutputFormat | 'k8s';
  'k8s-name'?: string;
  'k8s-namespace'?: string;
}

export const attestCommand: CommandModule<object, AttestArgs> = {
  command: 'attest [path]',
  describe:
    'sign an in-toto attestation (SLSA provenance, dataset provenance, any predicate) about a model or dataset, with a key (or key + certificate chain) or keylessly with Sigstore',
  builder: (y: Argv) =>
    withRegistry(withSigner(y))
      .positional('path', {
        type: 'string',
        describe:
          'model or dataset (directory or file), or an OCI reference (registry/repo:tag; docs/oci.md)',
      })
      .option('subject', { type: 'string', describe: 'attest name@sha256:<hex> instead of hashing a path' })
      .option('type', {
        type: 'string',
        default: 'slsa',
        describe: 'slsa | dataset | oms | a predicate type URI',
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
      .option('bundle', { type: 'string', describe: 'write the Sigstore bundle here' })
      .option('store', {
        describe:
          'attestation store: dir:PATH, a path or oci://REGISTRY/REPO (default .modelseal/attestations, for a reference its own repository; --no-store to skip)',
      })
      .option('output', {
        alias: 'o',
        choices: ['text', 'json', 'k8s'] as const,
        default: 'text' as const,
        describe:
          'text summary on stderr, json result on stdout, or k8s: the ModelAttestation resource (YAML) for kubectl apply -f -',
      })
      .option('k8s-name', {
        type: 'string',
        describe: 'with --output k8s: metadata.name (default from subject, type, digest)',
      })
      .option('k8s-namespace', { type: 'string', describe: 'with --output k8s: metadata.namespace' })
      .check((a) => {
        // a coded usage error: main's fail handler passes ModelsealErrors through as they are
        if (a['path'] !== undefined && a['subject'] !== undefined)
          throw new UsageError({ code: 'TARGET_CONFLICT', message: 'give a path or --subject, not both' });
        if ((a['k8s-name'] !== undefined || a['k8s-namespace'] !== undefined) && a['output'] !== 'k8s')
          throw new UsageError({
            code: 'USAGE_CONFLICT',
            message: '--k8s-name and --k8s-namespace go with --output k8s',
          });
        if (a['path'] === undefined && a['subject'] === undefined)
          throw new UsageError({
            code: 'TARGET_MISSING',
            message: 'name what to attest: a path, or --subject name@sha256:<hex>',
          });
        return true;
      }) as Argv<AttestArgs>,
  handler: async (argv) => render(await run(await toOptions(argv))),
};

interface Options extends AttestOptions {
  readonly output: OutputFormat | 'k8s';
  readonly k8s: { readonly name?: string; readonly namespace?: string };
}

async function toOptions(a: ArgumentsCamelCase<AttestArgs>): Promise<Options> {
  const { predicateFor } = await import('@modelseal/attest');
  const { DEFAULT_STORE_PATH, K8S_NAME_RE, K8S_NAMESPACE_RE } = await import('@modelseal/store');
  if (a['k8s-name'] !== undefined && !K8S_NAME_RE.test(a['k8s-name']))
    throw new UsageError({
      code: 'BAD_K8S_NAME',
      message: `--k8s-name ${JSON.stringify(a['k8s-name'].slice(0, 100))} is not a Kubernetes object name (lowercase DNS subdomain)`,
    });
  if (a['k8s-namespace'] !== undefined && !K8S_NAMESPACE_RE.test(a['k8s-namespace']))
    throw new UsageError({
      code: 'BAD_K8S_NAME',
      message: `--k8s-namespace ${JSON.stringify(a['k8s-namespace'].slice(0, 100))} is not a namespace name (lowercase DNS label)`,
    });

  const target: Target | undefined = a.path !== undefined ? await classifyTarget(a.path) : undefined;
  // --bundle alone writes only the bundle; --store names a store; --no-store skips the default one
  // (a reference's default store is its own repository: bundles become referrers of the model)
  const store =
    a.store === false
      ? undefined
      : typeof a.store === 'string'
        ? a.store
        : a.bundle
          ? undefined
          : target?.kind === 'oci'
            ? `oci://${target.ref.registry}/${target.ref.repository}`
            : DEFAULT_STORE_PATH;
  return {
    target:
      target === undefined
        ? { kind: 'ref', ref: a.subject! }
        : target.kind === 'oci'
          ? { kind: 'oci', ref: target.ref }
          : { kind: 'path', path: target.path },
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
    write: {
      ...(a.bundle ? { bundlePath: a.bundle } : {}),
      ...(store ? { store } : {}),
      registry: await registryFrom(a),
    },
    env: process.env,
    output: a.output,
    printsBundle: a.output === 'k8s',
    k8s: {
      ...(a['k8s-name'] ? { name: a['k8s-name'] } : {}),
      ...(a['k8s-namespace'] ? { namespace: a['k8s-namespace'] } : {}),
    },
  };
}

async function run(o: Options): Promise<AttestResult & Pick<Options, 'output' | 'k8s'>> {
  const { runAttest } = await import('../flows/attest.ts');
  return { ...(await runAttest(o)), output: o.output, k8s: o.k8s };
}

async function render(r: Awaited<ReturnType<typeof run>>): Promise<void> {
  if (r.output === 'k8s') {
    const { modelAttestationResource } = await import('@modelseal/store');
    const { stringify } = await import('yaml');
    const resource = modelAttestationResource({
      subjectDigest: r.filedUnder,
      predicateType: r.predicateType,
      bundle: r.bundle,
      subjectName: r.subject.name,
      ...r.k8s,
    });
    // lineWidth 0: no folding, so the bundle text reads back exactly as signed
    out(stringify(resource, { lineWidth: 0 }));
    err(
      `attested ${r.subject.name} (${r.subject.digest}) with ${r.predicateType}; ModelAttestation on stdout`,
    );
    if (r.storePath) err(`  store:  ${r.storePath}`);
    return;
  }
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
