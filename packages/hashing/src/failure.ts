/**
 * Errors raised where the hashing workers run. Deliberately free of @modelseal/core: every module
 * a worker imports costs start-up time per worker. hashModel turns these into core errors.
 */
import type { InputCode, InternalCode, NotFoundCode } from '@modelseal/core';

export type FailureKind = 'input' | 'not_found' | 'internal';

/** Type-only: the import above is erased, so workers still load nothing of core. */
export interface FailureCodes {
  readonly input: InputCode;
  readonly not_found: NotFoundCode;
  readonly internal: InternalCode;
}

export class HashFailure<K extends FailureKind = FailureKind> extends Error {
  readonly kind: K;
  readonly code: FailureCodes[K];
  readonly details: Record<string, unknown> | undefined;

  constructor(kind: K, code: FailureCodes[K], message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'HashFailure';
    this.kind = kind;
    this.code = code;
    this.details = details;
  }
}
