import {
  buildStatement,
  detectCi,
  type Env,
  type Predicate,
  type PredicateEntry,
  parseKeyValues,
  parseSlsaSpec,
  type ResourceDescriptor,
  type Statement,
  serializeStatement,
} from '@modelseal/attest';
import { InputError, isRecord, UsageError } from '@modelseal/core';
import type { Reference } from '@modelseal/oci';
import type { SignerConfig } from '@modelseal/sign';
import { readDocument } from '../options/documents.ts';
import { bundlesToSkip, locateModel } from '../options/model.ts';
import { resolveArtifact } from './artifact.ts';
import { resolveDependency, resolveGitSource } from './deps.ts';
import { type BundleOutput, bundleBytes, publishBundle } from './publish.ts';
import { signModel } from './sign-model.ts';
import { DEFAULT_SERIALIZATION, type Subject, subjectFromPath, subjectFromRef } from './subject.ts';

export interface AttestOptions {
  readonly target:
    | { readonly kind: 'path'; readonly path: string }
    | { readonly kind: 'ref'; readonly ref: string }
    /** an OCI reference: the subject is its manifest digest, resolved at the registry */
    | { readonly kind: 'oci'; readonly ref: Reference };
  /** the `--type` entry of the predicate registry */
  readonly predicate: PredicateEntry;
  readonly predicateFile?: string;
  /** a predicate the caller built (`bom --attest`), validated like a --predicate file */
  readonly predicateValue?: Predicate;
  readonly specFile?: string;
  readonly builderId?: string;
  readonly buildType?: string;
  readonly externalParameters: readonly string[];
  readonly datasets: readonly string[];
  readonly baseModels: readonly string[];
  readonly source?: string;
  readonly signer: SignerConfig;
  readonly write: BundleOutput;
  readonly env: Env;
  /** the caller prints the result itself (a ModelAttestation resource): no file or store needed */
  readonly printsBundle?: boolean;
}

export interface AttestResult {
  readonly subject: Subject;
  readonly predicateType: string;
  readonly bundlePath?: string;
  readonly storePath?: string;
  readonly statement: Statement;
  readonly bundle: Uint8Array;
  /** the digest the bundle is filed under (for a reference: its manifest digest) */
  readonly filedUnder: string;
}

export async function runAttest(o: AttestOptions): Promise<AttestResult> {
  if (o.write.bundlePath === undefined && o.write.store === undefined && !o.printsBundle)
    throw new UsageError({
      code: 'NO_OUTPUT',
      message: 'nowhere to write the attestation: give --bundle FILE or --store DIR',
    });
  // the OMS signature itself, so a dataset is signed like a model straight into the store
  if (o.predicate.kind === 'oms' && !o.predicateFile && o.target.kind === 'path') {
    const path = o.target.path;
    const r = await signModel({
      model: path,
      serialization: DEFAULT_SERIALIZATION,
      // `sign` leaves model.sig inside a directory: never part of what is signed
      extraIgnore: bundlesToSkip(locateModel(path, undefined)),
      ignoreGitPaths: true,
      signer: o.signer,
      write: o.write,
    });
    return { ...r, predicateType: r.statement.predicateType };
  }
  if (o.predicate.kind === 'oms' && !o.predicateFile && o.target.kind === 'oci') {
    const { signReference } = await import('./sign-reference.ts');
    const r = await signReference({
      ref: o.target.ref,
      signer: o.signer,
      registry: o.write.registry ?? {},
      ...(o.write.bundlePath !== undefined ? { bundlePath: o.write.bundlePath } : {}),
      store: o.write.store ?? false,
    });
    return { ...r, predicateType: r.statement.predicateType };
  }
  const { createSigner } = await import('@modelseal/sign');
  // load the key first: a wrong passphrase should not cost a full hash of the model
  const signer = createSigner(o.signer);
  const subject = await subjectOf(o);
  const descriptor = { name: subject.name, digest: { sha256: subject.digest.slice('sha256:'.length) } };
  const statement = buildStatement(
    [descriptor],
    o.predicate.predicateType,
    await buildPredicate(o, descriptor),
  );
  const bundle = bundleBytes(await signer.sign(serializeStatement(statement)));
  const published = await publishBundle(bundle, subject.digest, o.predicate.predicateType, o.write);
  return { subject, predicateType: o.predicate.predicateType, ...published, statement };
}

async function subjectOf(o: AttestOptions): Promise<Subject> {
  switch (o.target.kind) {
    case 'path':
      return subjectFromPath(o.target.path);
    case 'ref':
      return subjectFromRef(o.target.ref);
    case 'oci': {
      // the statement records the tag in the subject name and the manifest digest as the digest
      const a = await resolveArtifact(o.target.ref, o.write.registry ?? {});
      return { name: a.name, digest: a.digest };
    }
    default:
      return o.target satisfies never;
  }
}

async function buildPredicate(o: AttestOptions, subject: ResourceDescriptor): Promise<Predicate> {
  if (o.predicateValue) return o.predicate.validate(o.predicateValue, subject);
  if (o.predicateFile) {
    if (o.specFile)
      throw new UsageError({ code: 'USAGE_CONFLICT', message: 'give --predicate or --spec, not both' });
    const doc = await readDocument(o.predicateFile, 'predicate', '--predicate');
    if (!isRecord(doc))
      throw new InputError({
        code: 'PREDICATE_INVALID',
        message: `predicate ${o.predicateFile} must be a JSON object`,
      });
    // known types are validated even when the user wrote the predicate by hand
    return o.predicate.validate(doc, subject);
  }
  const entry = o.predicate;
  switch (entry.kind) {
    case 'slsa':
      return entry.build(await slsaInput(o));
    case 'dataset':
      if (!o.specFile)
        throw new UsageError({
          code: 'SPEC_REQUIRED',
          message: '--type dataset needs --spec dataset.yaml (see docs/provenance.md)',
        });
      return entry.build(await readDocument(o.specFile, 'dataset spec', '--spec'));
    case 'scan':
      throw new UsageError({
        code: 'PREDICATE_REQUIRED',
        message: `for --type scan run \`modelseal scan PATH --attest\`, or give the predicate \`scan --predicate-out\` wrote with --predicate FILE`,
      });
    case 'oms':
    case 'cyclonedx':
    case 'custom':
      throw new UsageError({
        code: 'PREDICATE_REQUIRED',
        message: `for --type ${entry.predicateType} give the predicate JSON with --predicate FILE`,
      });
    default:
      return entry satisfies never;
  }
}

async function slsaInput(o: AttestOptions) {
  const spec = o.specFile
    ? parseSlsaSpec(await readDocument(o.specFile, 'provenance spec', '--spec'), o.specFile)
    : {};
  const ci = detectCi(o.env);
  const builderId = o.builderId ?? spec.builderId ?? ci?.builderId;
  if (!builderId) {
    throw new UsageError({
      code: 'BUILDER_ID_REQUIRED',
      message:
        'who ran the training? give --builder-id URI (or builderId in --spec); in GitHub Actions/GitLab CI it is detected',
    });
  }
  const deps: ResourceDescriptor[] = [];
  for (const d of [...(spec.datasets ?? []), ...o.datasets])
    deps.push(await resolveDependency(d, 'dataset', '--dataset'));
  for (const d of [...(spec.baseModels ?? []), ...o.baseModels])
    deps.push(await resolveDependency(d, 'base-model', '--base-model'));
  const sourceDir = o.source ?? spec.source;
  if (sourceDir) deps.push(await resolveGitSource(sourceDir));
  else if (ci?.source) deps.push(ci.source);
  return {
    builderId,
    ...(o.buildType || spec.buildType ? { buildType: o.buildType ?? spec.buildType } : {}),
    externalParameters: {
      ...(ci?.externalParameters ?? {}),
      ...(spec.externalParameters ?? {}),
      ...parseKeyValues(o.externalParameters, '--external-parameter'),
    },
    ...(spec.internalParameters ? { internalParameters: spec.internalParameters } : {}),
    resolvedDependencies: deps,
    ...(ci?.invocationId ? { invocationId: ci.invocationId } : {}),
    ...(spec.startedOn ? { startedOn: spec.startedOn } : {}),
    ...(spec.finishedOn ? { finishedOn: spec.finishedOn } : {}),
  };
}
