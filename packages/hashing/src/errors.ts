import {
  InputError,
  InternalError,
  isModelsealError,
  type ModelsealError,
  NotFoundError,
} from '@modelseal/core';
import { type FailureCodes, type FailureKind, HashFailure } from './failure.ts';

/** A failure as it crosses the worker boundary (structured clone): kind and code stay paired. */
export type FailureRecord = {
  [K in FailureKind]: {
    readonly kind: K;
    readonly code: FailureCodes[K];
    readonly message: string;
    readonly details?: Record<string, unknown>;
  };
}[FailureKind];

/** Runs a public entry point: an abort passes through, anything else leaves as a typed error. */
export async function typedErrors<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if ((e as Error)?.name === 'AbortError') throw e;
    throw toModelsealError(e);
  }
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
  const opts = { message: f.message, details: f.details };
  switch (f.kind) {
    case 'input':
      return new InputError({ ...opts, code: f.code });
    case 'not_found':
      return new NotFoundError({ ...opts, code: f.code });
    case 'internal':
      return new InternalError({ ...opts, code: f.code });
    default: {
      const never: never = f;
      return new InternalError({
        code: 'WORKER_CRASHED',
        message: `unknown failure ${JSON.stringify(never)}`,
      });
    }
  }
}
