import type { FoundBundles, Store } from '@modelseal/store';
import type {
  IdentityPolicy,
  SignerInfo,
  TrustConfig,
  TrustedRoot,
  VerifiedStatement,
} from '@modelseal/verify';

/** One trusted signer, named so requirements can refer to it. */
export interface Authority {
  readonly name: string;
  /** `sigstore` trust always carries a parsed root: the policy's own, else the parser's default */
  readonly trust: TrustConfig;
  readonly identity?: IdentityPolicy;
}

/** A compiled CEL condition: evaluating it never throws and never runs unbounded. */
export interface Condition {
  readonly expression: string;
  /**
   * Stops at the cost budget, the time cap, and the clock's deadline (default clock: monotonic).
   * With `shared`, spends from (and at most) what is left there, and subtracts what it used.
   */
  evaluate(vars: ConditionVars, clock?: EvaluationClock, shared?: SharedBudget): ConditionResult;
}

/** Work units several evaluations draw from (CEL_LIMITS.maxCostPerEvaluation per evaluate()). */
export interface SharedBudget {
  left: number;
}

/** The caller's clock and the moment after which it no longer wants an answer. */
export interface EvaluationClock {
  now(): number;
  /** absolute, on the same clock as now() */
  readonly deadline?: number;
}

export interface ConditionVars {
  readonly predicate: unknown;
  readonly subject: string;
  readonly predicateType: string;
  readonly signer: SignerInfo;
}

export type ConditionResult =
  | { readonly kind: 'true' }
  | { readonly kind: 'false' }
  | { readonly kind: 'not-bool'; readonly type: string }
  | { readonly kind: 'error'; readonly message: string }
  | { readonly kind: 'cost-exceeded' }
  /** the clock's deadline passed: the caller has given up, so this is no verdict on the policy */
  | { readonly kind: 'deadline-exceeded' };

export interface Requirement {
  /** full URI (short names like `slsa` are resolved at parse time) */
  readonly predicateType: string;
  readonly conditions: readonly Condition[];
  /** authority names allowed to satisfy it; absent = any authority of the policy */
  readonly authorities?: readonly string[];
}

export type Mode = 'enforce' | 'warn' | 'audit';
export type Unpinned = 'deny' | 'warn';

/** Where and how the admission webhook applies a policy (spec.mode / match / unpinned), defaults resolved. */
export interface AdmissionSettings {
  readonly mode: Mode;
  /** when set, what an unpinned model gets whatever the mode; unset, it follows the mode */
  readonly unpinned?: Unpinned;
  readonly namespaces: readonly string[];
  /** cluster policies skip these namespaces (names or globs), even where `namespaces` matches */
  readonly excludeNamespaces: readonly string[];
  readonly volumes: {
    readonly images: boolean;
    readonly names: readonly string[];
    /** pod annotation listing (comma-separated) the volumes that hold models */
    readonly annotation: string;
  };
  /**
   * containers whose image is a model (KServe modelcars): counted when the name matches `names`
   * or the image's repository (`registry/path`, canonical) matches `images`; both empty by default
   */
  readonly containers: {
    readonly names: readonly string[];
    readonly images: readonly string[];
  };
}

export interface ParseOptions {
  /**
   * the root for keyless authorities that embed none: loaded once at the edge (`--trusted-root`,
   * else the shipped public-good root), so a parsed policy never waits for a default
   */
  readonly defaultTrustedRoot: TrustedRoot;
}

export interface ModelPolicy {
  readonly kind: 'ModelPolicy' | 'ClusterModelPolicy';
  readonly name: string;
  readonly namespace?: string;
  /** sha256 hex over the canonical JSON of kind, name and spec: a cache key */
  readonly version: string;
  readonly source: string;
  readonly authorities: readonly Authority[];
  readonly requirements: readonly Requirement[];
  readonly requireAttestedDependencies?: { readonly maxDepth: number };
  readonly admission: AdmissionSettings;
}

export interface VerifiedAttestation {
  readonly authority: string;
  readonly verified: VerifiedStatement;
  /** where the bundle came from (store path, --bundle file) */
  readonly source?: string;
  /**
   * Set when the statement names the subject's content, not its digest: the store vouched that it
   * signs exactly what that digest names (an OMS signature of an OCI artifact's files). The value
   * is the subject digest it was bound to.
   */
  readonly contentOf?: string;
}

export interface EvidenceFailure {
  readonly code: string;
  readonly message: string;
  readonly source: string;
}

export interface Evidence {
  readonly subject: string;
  readonly attestations: readonly VerifiedAttestation[];
  readonly failures: readonly EvidenceFailure[];
}

export interface Reason {
  readonly code: string;
  readonly message: string;
  /** `sha256:<hex>` the reason is about (a dependency's digest for dependency reasons) */
  readonly subject: string;
  /** predicate type of the requirement it concerns */
  readonly requirement?: string;
}

export interface Decision {
  readonly allowed: boolean;
  readonly reasons: readonly Reason[];
  readonly signers: readonly SignerInfo[];
  /**
   * the attestation that satisfied each requirement, in requirement order (empty when none did):
   * what a start-up check re-hashes with comes from these, never from the pod
   */
  readonly attestations?: readonly VerifiedAttestation[];
  /** policy name */
  readonly policy: string;
}

export interface EvaluateInput {
  readonly policy: ModelPolicy;
  readonly subject: string;
  readonly evidence: ReadonlyMap<string, Evidence>;
  /** past `clock.deadline`, evaluate() throws DEADLINE_EXCEEDED instead of deciding */
  readonly clock?: EvaluationClock;
}

export type VerifyFn = (bundle: Uint8Array, authority: Authority) => Promise<VerifiedStatement>;

export interface CollectInput {
  readonly policy: ModelPolicy;
  readonly subject: string;
  readonly store: Store;
  readonly verify: VerifyFn;
  /** bundles given directly (CLI `--bundle`), considered for every subject they attest */
  readonly extraBundles?: FoundBundles;
  /** past `clock.deadline`, collectEvidence() throws DEADLINE_EXCEEDED instead of going on */
  readonly clock?: EvaluationClock;
}
