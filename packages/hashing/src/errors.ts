import {
  InputError,
  InternalError,
  isModelsealError,
  type ModelsealError,
  NotFoundError,
} from '@modelseal/core';
import { type FailureKind, HashFailure } from './failure.ts';

export interface FailureRecord {
  readonly kind: FailureKind;
  readonly code: string;
  readonly message: string;
  readonly details?: Record<string, unknown>;
}

/** Turns a worker-side failure (or anything unexpected) into the typed error callers match on. */
export function toModelsealError(e: unknown): ModelsealError {
  if (isModelsealError(e)) return e;
  if (e instanceof HashFailure) return revive(e);
  return new InternalError({
    code: 'INTERNAL',
    message: `hashing failed: ${(e as Error)?.message ?? String(e)}`,
    cause: e,
  });
}

export function revive(f: FailureRecord): ModelsealError {
  const opts = { code: f.code, message: f.message, details: f.details };
  switch (f.kind) {
    case 'input':
      return new InputError(opts);
    case 'not_found':
      return new NotFoundError(opts);
    case 'internal':
      return new InternalError(opts);
    default: {
      const never: never = f.kind;
      return new InternalError({ code: 'WORKER_CRASHED', message: `unknown failure kind ${String(never)}` });
    }
  }
}
