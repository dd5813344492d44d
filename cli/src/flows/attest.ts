import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import {
  buildSlsaProvenance,
  buildStatement,
  DATASET_PROVENANCE_V1,
  detectCi,
  type Env,
  omsStatement,
  PREDICATE_TYPES,
  parseDatasetProvenance,
  parseKeyValues,
  parseSlsaProvenance,
  parseSlsaSpec,
  type ResourceDescriptor,
  SLSA_PROVENANCE_V1,
  serializeStatement,
} from '@modelseal/attest';
import { InputError, isRecord, UsageError } from '@modelseal/core';
import type { SignerConfig } from '@modelseal/sign';
import { readDocument } from '../options/documents.ts';
import { resolveDependency, resolveGitSource } from './deps.ts';
import { hashPath, type Subject, subjectFromRef } from './subject.ts';

export const DEFAULT_STORE = '.modelseal/attestations';

export interface AttestOptions {
  readonly target:
    | { readonly kind: 'path'; readonly path: string }
    | { readonly kind: 'ref'; readonly ref: string };
  readonly predicateType: string;
  readonly predicateFile?: string;
  readonly specFile?: string;
  readonly builderId?: string;
  readonly buildType?: string;
  readonly externalParameters: readonly string[];
  readonly datasets: readonly string[];
  readonly baseModels: readonly string[];
  readonly source?: string;
  readonly signer: SignerConfig;
  readonly bundlePath?: string;
  /** undefined = do not write to a store */
  readonly storeDir?: string;
  readonly env: Env;
}

export interface AttestResult {
  readonly subject: Subject;
  readonly predicateType: string;
  readonly bundlePath?: string;
  readonly storePath?: string;
  readonly statement: unknown;
}

export async function runAttest(o: AttestOptions): Promise<AttestResult> {
  if (!o.bundlePath && !o.storeDir)
    throw new UsageError({
      code: 'NO_OUTPUT',
      message: 'nowhere to write the attestation: give --bundle FILE or --store DIR',
    });
  const { createSigner } = await import('@modelseal/sign');
  // load the key first: a wrong passphrase should not cost a full hash of the model
  const signer = createSigner(o.signer);
  const hashed = o.target.kind === 'path' ? await hashPath(o.target.path) : undefined;
  const subject = hashed?.subject ?? subjectFromRef((o.target as { ref: string }).ref);
  // the OMS signature itself, so a dataset can be signed like a model straight into the store
  const statement =
    o.predicateType === PREDICATE_TYPES.oms && !o.predicateFile && hashed
      ? omsStatement(hashed.manifest)
      : buildStatement(
          [{ name: subject.name, digest: { sha256: subject.digest.slice('sha256:'.length) } }],
          o.predicateType,
          await buildPredicate(o),
        );
  const payload = serializeStatement(statement);

  const bundle = new TextEncoder().encode(`${JSON.stringify(await signer.sign(payload))}\n`);

  let bundlePath: string | undefined;
  if (o.bundlePath) {
    bundlePath = resolve(o.bundlePath);
    await mkdir(dirname(bundlePath), { recursive: true });
    await writeFile(bundlePath, bundle);
  }
  let storePath: string | undefined;
  if (o.storeDir) {
    const { directoryStore } = await import('@modelseal/store');
    storePath = await directoryStore(o.storeDir).put(subject.digest, o.predicateType, bundle);
  }
  return {
    subject,
    predicateType: o.predicateType,
    ...(bundlePath ? { bundlePath } : {}),
    ...(storePath ? { storePath } : {}),
    statement,
  };
}

async function buildPredicate(o: AttestOptions): Promise<Record<string, unknown>> {
  if (o.predicateFile) {
    if (o.specFile)
      throw new UsageError({ code: 'USAGE_CONFLICT', message: 'give --predicate or --spec, not both' });
    const doc = await readDocument(o.predicateFile, 'predicate');
    if (!isRecord(doc))
      throw new InputError({
        code: 'PREDICATE_INVALID',
        message: `predicate ${o.predicateFile} must be a JSON object`,
      });
    return validateKnown(o.predicateType, doc);
  }
  switch (o.predicateType) {
    case SLSA_PROVENANCE_V1:
      return (await slsaPredicate(o)) as unknown as Record<string, unknown>;
    case DATASET_PROVENANCE_V1: {
      if (!o.specFile)
        throw new UsageError({
          code: 'SPEC_REQUIRED',
          message: '--type dataset needs --spec dataset.yaml (see docs/provenance.md)',
        });
      return parseDatasetProvenance(await readDocument(o.specFile, 'dataset spec')) as unknown as Record<
        string,
        unknown
      >;
    }
    default:
      throw new UsageError({
        code: 'PREDICATE_REQUIRED',
        message: `for --type ${o.predicateType} give the predicate JSON with --predicate FILE`,
      });
  }
}

/** Known types are validated even when the user wrote the predicate by hand. */
function validateKnown(type: string, doc: Record<string, unknown>): Record<string, unknown> {
  if (type === SLSA_PROVENANCE_V1) parseSlsaProvenance(doc);
  if (type === DATASET_PROVENANCE_V1) parseDatasetProvenance(doc);
  return doc;
}

async function slsaPredicate(o: AttestOptions) {
  const spec = o.specFile ? parseSlsaSpec(await readDocument(o.specFile, 'provenance spec'), o.specFile) : {};
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
  return buildSlsaProvenance({
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
  });
}
