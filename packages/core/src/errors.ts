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

export interface ErrorOptions {
  code: string;
  message: string;
  /** Machine-readable facts for `--output json` and webhook messages; never secrets. */
  details?: Record<string, unknown>;
  cause?: unknown;
}

export class ModelsealError extends Error {
  readonly kind: ErrorKind;
  readonly code: string;
  readonly details: Record<string, unknown> | undefined;

  constructor(kind: ErrorKind, opts: ErrorOptions) {
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

export class UsageError extends ModelsealError {
  constructor(opts: ErrorOptions) {
    super('usage', opts);
  }
}
export class InputError extends ModelsealError {
  constructor(opts: ErrorOptions) {
    super('input', opts);
  }
}
export class VerificationError extends ModelsealError {
  constructor(opts: ErrorOptions) {
    super('verification', opts);
  }
}
export class DigestMismatchError extends ModelsealError {
  constructor(opts: ErrorOptions) {
    super('digest', opts);
  }
}
export class NotFoundError extends ModelsealError {
  constructor(opts: ErrorOptions) {
    super('not_found', opts);
  }
}
export class PolicyError extends ModelsealError {
  constructor(opts: ErrorOptions) {
    super('policy', opts);
  }
}
export class InternalError extends ModelsealError {
  constructor(opts: ErrorOptions) {
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
