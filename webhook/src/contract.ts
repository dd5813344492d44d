/**
 * The slice of the shared `@modelseal/policy` / `@modelseal/store` contract the webhook consumes.
 * Declared structurally here so the webhook builds and is tested before those packages land; the
 * real values satisfy these shapes, so wiring them in (see engine.ts) stays a thin adapter.
 */
import type { SignerInfo, VerifiedStatement } from '@modelseal/verify';

export interface StoredBundle {
  readonly bundle: Uint8Array;
  readonly source: string;
  readonly predicateType?: string;
}

/** One method: every stored bundle whose subject is `subjectDigest` ('sha256:<hex>'). */
export interface Store {
  find(subjectDigest: string, predicateType?: string): Promise<readonly StoredBundle[]>;
}

export interface Authority {
  readonly name: string;
}

export interface ModelPolicy {
  readonly name: string;
  /** sha256 of the canonical spec: part of every cache key */
  readonly version: string;
  readonly authorities: readonly Authority[];
  readonly requirements: readonly unknown[];
  /** spec.mode / spec.match / spec.unpinned kept verbatim by parsePolicy; validated in settings.ts */
  readonly admission?: unknown;
}

export interface VerifiedAttestation {
  readonly authority: string;
  readonly verified: VerifiedStatement;
}

export interface Evidence {
  readonly subject: string;
  readonly attestations: readonly VerifiedAttestation[];
  readonly failures: readonly { code: string; message: string; source: string }[];
}

export interface Reason {
  readonly code: string;
  readonly message: string;
  readonly subject: string;
  readonly requirement?: string;
}

export interface Decision {
  readonly allowed: boolean;
  readonly reasons: readonly Reason[];
  readonly signers: readonly SignerInfo[];
  readonly policy: string;
}

export type VerifyFn = (bundle: Uint8Array, authority: Authority) => Promise<VerifiedStatement>;

/** parsePolicy + collectEvidence + evaluate, as exported by @modelseal/policy. */
export interface PolicyEngine {
  parsePolicy(doc: unknown, source: string): ModelPolicy;
  collectEvidence(input: {
    policy: ModelPolicy;
    subject: string;
    store: Store;
    verify: VerifyFn;
  }): Promise<Map<string, Evidence>>;
  evaluate(input: {
    policy: ModelPolicy;
    subject: string;
    evidence: ReadonlyMap<string, Evidence>;
  }): Decision;
}
