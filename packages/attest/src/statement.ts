/** in-toto Statement v1 (https://in-toto.io/Statement/v1). */
import { type InputCode, InputError, isRecord, parseJson } from '@modelseal/core';

export interface ResourceDescriptor {
  readonly name?: string;
  readonly uri?: string;
  readonly digest?: Readonly<Record<string, string>>;
  readonly content?: string;
  readonly downloadLocation?: string;
  readonly mediaType?: string;
  readonly annotations?: Readonly<Record<string, unknown>>;
}

export interface Statement {
  readonly _type: 'https://in-toto.io/Statement/v1';
  readonly subject: readonly ResourceDescriptor[];
  readonly predicateType: string;
  readonly predicate: Readonly<Record<string, unknown>>;
}

export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';

/** A statement payload is a few KiB to a few tens of MiB (100k resources); depth stays small. */
const PAYLOAD_LIMITS = { maxBytes: 256 * 1024 * 1024, maxDepth: 32 } as const;

export function buildStatement(
  subject: readonly ResourceDescriptor[],
  predicateType: string,
  predicate: Readonly<Record<string, unknown>>,
): Statement {
  const statement: Statement = { _type: STATEMENT_TYPE, subject, predicateType, predicate };
  validateStatement(statement);
  return statement;
}

/**
 * The exact bytes model_signing 1.x writes: protobuf's MessageToJson, i.e. Python json.dumps
 * with indent=2 and ensure_ascii. Key order is the object's own order, so a statement parsed
 * from a payload re-serializes to the same bytes.
 */
export function serializeStatement(statement: Statement): Uint8Array {
  const text = JSON.stringify(statement, null, 2).replace(
    /[\u0080-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return new TextEncoder().encode(text);
}

/** Strict parse of a DSSE payload; every failure is an InputError with its own code. */
export function parseStatement(bytes: Uint8Array | string): Statement {
  const value = parseJson(bytes, 'in-toto statement', PAYLOAD_LIMITS);
  validateStatement(value);
  return value;
}

function fail(code: InputCode, message: string): never {
  throw new InputError({ code, message: `in-toto statement: ${message}` });
}

function validateStatement(value: unknown): asserts value is Statement {
  if (!isRecord(value)) fail('STATEMENT_NOT_OBJECT', 'payload is not a JSON object');
  if (value._type !== STATEMENT_TYPE) {
    fail(
      'STATEMENT_TYPE_UNSUPPORTED',
      `_type must be "${STATEMENT_TYPE}", got ${JSON.stringify(value._type)}`,
    );
  }
  const subject = value.subject;
  if (!Array.isArray(subject) || subject.length === 0) {
    fail('STATEMENT_SUBJECT_MISSING', 'subject must be a non-empty array');
  }
  subject.forEach((s, i) => {
    if (!isRecord(s)) fail('STATEMENT_SUBJECT_INVALID', `subject[${i}] is not an object`);
    if (s.name !== undefined && typeof s.name !== 'string') {
      fail('STATEMENT_SUBJECT_INVALID', `subject[${i}].name must be a string`);
    }
    const digest = s.digest;
    if (!isRecord(digest) || Object.keys(digest).length === 0) {
      fail('STATEMENT_SUBJECT_DIGEST_MISSING', `subject[${i}] has no digest`);
    }
    for (const [alg, v] of Object.entries(digest)) {
      if (typeof v !== 'string' || v === '') {
        fail('STATEMENT_SUBJECT_DIGEST_INVALID', `subject[${i}].digest.${alg} must be a non-empty string`);
      }
    }
  });
  if (typeof value.predicateType !== 'string' || value.predicateType === '') {
    fail('STATEMENT_PREDICATE_TYPE_MISSING', 'predicateType must be a non-empty string');
  }
  if (!isRecord(value.predicate)) fail('STATEMENT_PREDICATE_INVALID', 'predicate must be a JSON object');
}
