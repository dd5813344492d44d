import { PREDICATE_TYPES } from './predicate.ts';
import { Checker } from './predicate-checks.ts';
import type { ResourceDescriptor } from './statement.ts';

export const SLSA_PROVENANCE_V1 = PREDICATE_TYPES.slsa;
/** our buildType for "a training (or fine-tuning) run produced this model" */
export const TRAINING_BUILD_TYPE = 'https://modelseal.dev/buildtypes/training/v1';
const MAX_DEPENDENCIES = 10_000;

/** SLSA Provenance v1 predicate (https://slsa.dev/spec/v1.0/provenance). */
export interface SlsaProvenance {
  readonly buildDefinition: {
    readonly buildType: string;
    readonly externalParameters: Readonly<Record<string, unknown>>;
    readonly internalParameters?: Readonly<Record<string, unknown>>;
    readonly resolvedDependencies?: readonly ResourceDescriptor[];
  };
  readonly runDetails: {
    readonly builder: {
      readonly id: string;
      readonly version?: Readonly<Record<string, string>>;
      readonly builderDependencies?: readonly ResourceDescriptor[];
    };
    readonly metadata?: {
      readonly invocationId?: string;
      readonly startedOn?: string;
      readonly finishedOn?: string;
    };
    readonly byproducts?: readonly ResourceDescriptor[];
  };
}

export interface SlsaInput {
  readonly builderId: string;
  readonly buildType?: string;
  readonly externalParameters?: Readonly<Record<string, unknown>>;
  readonly internalParameters?: Readonly<Record<string, unknown>>;
  readonly resolvedDependencies?: readonly ResourceDescriptor[];
  readonly invocationId?: string;
  readonly startedOn?: string;
  readonly finishedOn?: string;
}

/** Builds and validates; key order is fixed so the same input always gives the same bytes. */
export function buildSlsaProvenance(input: SlsaInput): SlsaProvenance {
  const metadata = {
    ...(input.invocationId ? { invocationId: input.invocationId } : {}),
    ...(input.startedOn ? { startedOn: input.startedOn } : {}),
    ...(input.finishedOn ? { finishedOn: input.finishedOn } : {}),
  };
  const predicate: SlsaProvenance = {
    buildDefinition: {
      buildType: input.buildType ?? TRAINING_BUILD_TYPE,
      externalParameters: input.externalParameters ?? {},
      ...(input.internalParameters ? { internalParameters: input.internalParameters } : {}),
      ...(input.resolvedDependencies?.length ? { resolvedDependencies: input.resolvedDependencies } : {}),
    },
    runDetails: {
      builder: { id: input.builderId },
      ...(Object.keys(metadata).length > 0 ? { metadata } : {}),
    },
  };
  return parseSlsaProvenance(predicate);
}

/**
 * The rules of in-toto's reference SLSA v1 binding: buildType, externalParameters and builder.id
 * present, every ResourceDescriptor has uri, digest or content; plus sizes a hostile file cannot abuse.
 */
export function parseSlsaProvenance(value: unknown): SlsaProvenance {
  checkSlsaProvenance(value);
  return value;
}

function checkSlsaProvenance(value: unknown): asserts value is SlsaProvenance {
  const c = new Checker('SLSA provenance', 'SLSA_INVALID');
  const p = c.object(value, 'predicate');
  const bd = c.object(p['buildDefinition'], 'buildDefinition');
  c.string(bd['buildType'], 'buildDefinition.buildType');
  if (bd['externalParameters'] === undefined)
    c.fail('buildDefinition.externalParameters', 'is required (an object, may be empty)');
  c.object(bd['externalParameters'], 'buildDefinition.externalParameters');
  if (bd['internalParameters'] !== undefined)
    c.object(bd['internalParameters'], 'buildDefinition.internalParameters');
  resources(c, bd['resolvedDependencies'], 'buildDefinition.resolvedDependencies');
  const rd = c.object(p['runDetails'], 'runDetails');
  const builder = c.object(rd['builder'], 'runDetails.builder');
  c.string(builder['id'], 'runDetails.builder.id');
  resources(c, builder['builderDependencies'], 'runDetails.builder.builderDependencies');
  if (builder['version'] !== undefined) {
    const v = c.object(builder['version'], 'runDetails.builder.version');
    for (const [k, x] of Object.entries(v)) c.string(x, `runDetails.builder.version.${k}`);
  }
  if (rd['metadata'] !== undefined) {
    const md = c.object(rd['metadata'], 'runDetails.metadata');
    c.optionalString(md['invocationId'], 'runDetails.metadata.invocationId');
    const started = c.timestamp(md['startedOn'], 'runDetails.metadata.startedOn');
    const finished = c.timestamp(md['finishedOn'], 'runDetails.metadata.finishedOn');
    if (started && finished && Date.parse(finished) < Date.parse(started))
      c.fail('runDetails.metadata.finishedOn', 'is before startedOn');
  }
  resources(c, rd['byproducts'], 'runDetails.byproducts');
}

function resources(c: Checker, v: unknown, path: string): void {
  if (v === undefined) return;
  c.array(v, path, MAX_DEPENDENCIES).forEach((r, i) => {
    c.resource(r, `${path}[${i}]`);
  });
}
