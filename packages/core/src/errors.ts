import type {
  DigestCode,
  ErrorCode,
  InputCode,
  InternalCode,
  NotFoundCode,
  PolicyCode,
  UsageCode,
  VerificationCode,
} from './codes.ts';

/**
 * Every failure modelseal reports is a ModelsealError with a stable string `code` (tests and
 * scripts match on it) and a `kind` that alone decides the CLI exit code (see cli/src/exit.ts).
 */
export type ErrorKind =
  | 'usage' // the command line or a config value is wrong
  | 'input' // a file we were given is malformed: bundle, key, manifest, policy, request
  | 'verification' // signature, certificate, identity or trust check failed
  | 'digest' // signed digests do not match the bytes on disk
  | 'not_found' // no signature / attestation / file where one was expected
  | 'policy' // everything verified, but the policy denies it
  | 'internal'; // a bug or an environment failure (I/O error, worker crash)

export interface ErrorOptions<C extends string = ErrorCode> {
  code: C;
  message: string;
  /** Machine-readable facts for `--output json` and webhook messages; never secrets. */
  details?: Record<string, unknown>;
  cause?: unknown;
}

export class ModelsealError<C extends string = ErrorCode> extends Error {
  readonly kind: ErrorKind;
  readonly code: C;
  readonly details: Record<string, unknown> | undefined;

  constructor(kind: ErrorKind, opts: ErrorOptions<C>) {
    super(opts.message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.kind = kind;
    this.code = opts.code;
    this.details = opts.details;
  }

  toJSON(): Record<string, unknown> {
    return {
      kind: this.kind,
      code: this.code,
      message: this.message,
      ...(this.details ? { details: this.details } : {}),
    };
  }
}

export class UsageError extends ModelsealError<UsageCode> {
  constructor(opts: ErrorOptions<UsageCode>) {
    super('usage', opts);
  }
}
export class InputError extends ModelsealError<InputCode> {
  constructor(opts: ErrorOptions<InputCode>) {
    super('input', opts);
  }
}
export class VerificationError extends ModelsealError<VerificationCode> {
  constructor(opts: ErrorOptions<VerificationCode>) {
    super('verification', opts);
  }
}
export class DigestMismatchError extends ModelsealError<DigestCode> {
  constructor(opts: ErrorOptions<DigestCode>) {
    super('digest', opts);
  }
}
export class NotFoundError extends ModelsealError<NotFoundCode> {
  constructor(opts: ErrorOptions<NotFoundCode>) {
    super('not_found', opts);
  }
}
export class PolicyError extends ModelsealError<PolicyCode> {
  constructor(opts: ErrorOptions<PolicyCode>) {
    super('policy', opts);
  }
}
export class InternalError extends ModelsealError<InternalCode> {
  constructor(opts: ErrorOptions<InternalCode>) {
    super('internal', opts);
  }
}

export function isModelsealError(e: unknown): e is ModelsealError {
  return e instanceof ModelsealError;
}

/** Wraps anything thrown by a library into an error of ours, keeping ours untouched. */
export function asModelsealError(e: unknown, fallback: Omit<ErrorOptions, 'cause'> & { kind?: ErrorKind }) {
  if (e instanceof ModelsealError) return e;
  const detail = e instanceof Error ? e.message : String(e);
  return new ModelsealError(fallback.kind ?? 'internal', {
    code: fallback.code,
    message: `${fallback.message}: ${detail}`,
    details: fallback.details,
    cause: e,
  });
}
