/**
 * OpenSSF Model Signing (OMS) v1.0 predicate, as model_signing 1.x writes it, plus the legacy
 * v0.1 "Digests" shape for verification only. Everything read from a statement is treated as
 * hostile: a verifier later joins these names onto a directory.
 */
import { type InputCode, InputError, isRecord } from '@modelseal/core';
import {
  createManifest,
  type HashType,
  type Manifest,
  type Resource,
  type Serialization,
  subjectDigestOf,
} from '@modelseal/manifest';
import { validateResourceName } from './names.ts';
import { buildStatement, type Statement } from './statement.ts';

export const OMS_PREDICATE_TYPE = 'https://model_signing/signature/v1.0';
export const LEGACY_PREDICATE_TYPE = 'https://model_signing/Digests/v0.1';

/** Far above any real model; stops a hostile list from exhausting memory while we check it. */
export const MAX_RESOURCES = 1_000_000;

const DIGEST_HEX_LENGTH: Record<HashType, number> = { sha256: 64, blake2b: 128, blake3: 64 };
const HASH_TYPES = Object.keys(DIGEST_HEX_LENGTH) as HashType[];

/** Builds the statement model_signing 1.1 would write for this manifest. */
export function omsStatement(manifest: Manifest): Statement {
  const s = manifest.serialization;
  const serialization: Record<string, unknown> = {
    method: s.method,
    hash_type: s.hashType,
    allow_symlinks: s.allowSymlinks,
  };
  if (s.method === 'shards') serialization.shard_size = s.shardSize;
  if (s.ignorePaths.length > 0) serialization.ignore_paths = [...s.ignorePaths];
  const predicate = {
    serialization,
    resources: manifest.resources.map((r) => ({ name: r.name, algorithm: r.algorithm, digest: r.digest })),
  };
  return buildStatement(
    [{ name: manifest.modelName, digest: { sha256: manifest.subjectDigest } }],
    OMS_PREDICATE_TYPE,
    predicate,
  );
}

function bad(code: InputCode, message: string, details?: Record<string, unknown>): never {
  throw new InputError({ code, message: `OMS statement: ${message}`, details });
}

/** The signed manifest inside an OMS statement, with the subject digest re-derived and checked. */
export function manifestFromOmsStatement(statement: Statement): Manifest {
  switch (statement.predicateType) {
    case OMS_PREDICATE_TYPE:
      return fromV1(statement);
    case LEGACY_PREDICATE_TYPE:
      return fromLegacy(statement);
    default:
      return bad(
        'PREDICATE_TYPE_UNSUPPORTED',
        `predicateType ${JSON.stringify(statement.predicateType)} is not a model signature (expected ${OMS_PREDICATE_TYPE})`,
      );
  }
}

function fromV1(statement: Statement): Manifest {
  const p = statement.predicate;
  const serialization = parseSerialization(p.serialization);
  const list = p.resources;
  if (!Array.isArray(list)) bad('RESOURCES_INVALID', 'predicate.resources must be an array');
  if (list.length > MAX_RESOURCES) {
    bad(
      'RESOURCES_TOO_MANY',
      `predicate.resources lists ${list.length} entries, over the ${MAX_RESOURCES} limit`,
    );
  }
  const expectedAlg =
    serialization.method === 'shards'
      ? `${serialization.hashType}-sharded-${serialization.shardSize}`
      : serialization.hashType;
  const seen = new Set<string>();
  const resources: Resource[] = list.map((r: unknown, i: number) => {
    if (!isRecord(r)) bad('RESOURCE_INVALID', `resources[${i}] is not an object`);
    const { name, algorithm, digest } = r;
    if (typeof name !== 'string') bad('RESOURCE_INVALID', `resources[${i}].name must be a string`);
    validateResourceName(name, serialization.method === 'shards' ? serialization.shardSize : undefined);
    if (seen.has(name))
      bad('RESOURCE_DUPLICATE', `resource ${JSON.stringify(name)} is listed twice`, { name });
    seen.add(name);
    if (algorithm !== expectedAlg) {
      bad(
        'ALGORITHM_UNKNOWN',
        `resource ${JSON.stringify(name)} has algorithm ${JSON.stringify(algorithm)}; this serialization requires ${JSON.stringify(expectedAlg)}`,
      );
    }
    checkDigest(digest, serialization.hashType, name);
    return { name, algorithm: expectedAlg, digest: digest as string };
  });
  const subjectDigest = checkSubject(statement, resources);
  return Object.freeze({
    modelName: subjectName(statement),
    serialization,
    resources: Object.freeze(resources),
    subjectDigest,
  });
}

function parseSerialization(v: unknown): Serialization {
  if (!isRecord(v)) bad('SERIALIZATION_INVALID', 'predicate.serialization must be an object');
  const hashType = v.hash_type;
  if (typeof hashType !== 'string' || !(HASH_TYPES as string[]).includes(hashType)) {
    bad(
      'HASH_TYPE_UNKNOWN',
      `serialization.hash_type ${JSON.stringify(hashType)} is not one of ${HASH_TYPES.join(', ')}`,
    );
  }
  const allow = v.allow_symlinks ?? false;
  if (typeof allow !== 'boolean')
    bad('SERIALIZATION_INVALID', 'serialization.allow_symlinks must be a boolean');
  const ignore = v.ignore_paths ?? [];
  if (
    !Array.isArray(ignore) ||
    ignore.length > 10_000 ||
    ignore.some((x) => typeof x !== 'string' || x.includes('\0'))
  ) {
    bad('SERIALIZATION_INVALID', 'serialization.ignore_paths must be a list of at most 10000 path strings');
  }
  for (const p of ignore as string[]) {
    if (p === '' || p.includes('\0') || p.startsWith('/') || p.split('/').includes('..')) {
      bad(
        'IGNORE_PATH_INVALID',
        `serialization.ignore_paths entry ${JSON.stringify(p)} must be a relative path inside the model`,
      );
    }
  }
  const base = { hashType: hashType as HashType, allowSymlinks: allow, ignorePaths: ignore as string[] };
  switch (v.method) {
    case 'files':
      return { method: 'files', ...base };
    case 'shards': {
      // model_signing may write the size as the float 1000000000.0; JSON.parse yields an integer.
      const size = v.shard_size;
      if (typeof size !== 'number' || !Number.isSafeInteger(size) || size <= 0) {
        bad(
          'SHARD_SIZE_INVALID',
          `serialization.shard_size must be a positive integer, got ${JSON.stringify(size)}`,
        );
      }
      return { method: 'shards', ...base, shardSize: size };
    }
    default:
      return bad(
        'SERIALIZATION_METHOD_UNKNOWN',
        `serialization.method ${JSON.stringify(v.method)} is not "files" or "shards"`,
      );
  }
}

function checkDigest(digest: unknown, hashType: HashType, name: string): void {
  const len = DIGEST_HEX_LENGTH[hashType];
  if (typeof digest !== 'string' || digest.length !== len || !/^[0-9a-f]+$/.test(digest)) {
    bad(
      'DIGEST_INVALID',
      `resource ${JSON.stringify(name)}: digest must be ${len} lowercase hex characters for ${hashType}`,
    );
  }
}

function subjectName(statement: Statement): string {
  return statement.subject[0]?.name ?? '';
}

/** The subject digest the statement claims, once it is the one its resources give. */
function checkSubject(statement: Statement, resources: readonly Resource[]): string {
  if (statement.subject.length !== 1) {
    bad(
      'OMS_SUBJECT_COUNT',
      `an OMS statement has exactly one subject, this one has ${statement.subject.length}`,
    );
  }
  const claimed = statement.subject[0]?.digest?.sha256;
  const actual = subjectDigestOf(resources);
  if (claimed !== actual) {
    bad('SUBJECT_DIGEST_MISMATCH', 'the subject digest does not match the digest of the listed resources', {
      subject: claimed,
      computed: actual,
    });
  }
  return actual;
}

/** model_signing 0.2: one subject per file, digest.sha256, annotation actual_hash_algorithm. */
function fromLegacy(statement: Statement): Manifest {
  if (statement.subject.length > MAX_RESOURCES) bad('RESOURCES_TOO_MANY', 'too many subjects');
  const seen = new Set<string>();
  const resources: Resource[] = statement.subject.map((s, i) => {
    const name = s.name;
    if (typeof name !== 'string') bad('RESOURCE_INVALID', `subject[${i}].name must be a string`);
    validateResourceName(name, undefined);
    if (seen.has(name))
      bad('RESOURCE_DUPLICATE', `resource ${JSON.stringify(name)} is listed twice`, { name });
    seen.add(name);
    const alg = s.annotations?.actual_hash_algorithm;
    if (alg !== 'file-sha256') {
      bad(
        'ALGORITHM_UNKNOWN',
        `subject ${JSON.stringify(name)}: actual_hash_algorithm ${JSON.stringify(alg)} is not supported (only file-sha256)`,
      );
    }
    const digest = s.digest?.sha256;
    checkDigest(digest, 'sha256', name);
    return { name, algorithm: 'sha256', digest: digest as string };
  });
  return createManifest({
    modelName: '',
    serialization: { method: 'files', hashType: 'sha256', allowSymlinks: false, ignorePaths: [] },
    resources,
  });
}
