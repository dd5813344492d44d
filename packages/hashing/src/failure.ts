/**
 * Errors raised where the hashing workers run. Deliberately free of @modelseal/core: every module
 * a worker imports costs start-up time per worker. hashModel turns these into core errors.
 */
export type FailureKind = 'input' | 'not_found' | 'internal';

export class HashFailure extends Error {
  readonly kind: FailureKind;
  readonly code: string;
  readonly details: Record<string, unknown> | undefined;

  constructor(kind: FailureKind, code: string, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'HashFailure';
    this.kind = kind;
    this.code = code;
    this.details = details;
  }
}
