import { predicateTypeMatches } from '@modelseal/attest';
import type { SignerInfo } from '@modelseal/verify';
import { CEL_LIMITS } from './cel.ts';
import { checkDeadline, deadlineExceeded } from './deadline.ts';
import { attestableDependencies } from './deps.ts';
import type {
  Condition,
  ConditionResult,
  Decision,
  EvaluateInput,
  EvaluationClock,
  Evidence,
  ModelPolicy,
  Reason,
  Requirement,
  SharedBudget,
  VerifiedAttestation,
} from './types.ts';

const MAX_REASONS_PER_REQUIREMENT = 16;

/** Pure: the same evidence always gives the same decision, with every reason, not just the first. */
export function evaluate(input: EvaluateInput): Decision {
  const { policy, subject, evidence } = input;
  const reasons: Reason[] = [];
  const signers = new Map<string, SignerInfo>();
  const satisfied: VerifiedAttestation[] = [];
  const ev = evidence.get(subject) ?? emptyEvidence(subject);
  const bound = boundAttestations(ev, subject);

  let unsatisfied = false;
  const budget: SharedBudget = { left: CEL_LIMITS.maxCostPerEvaluation };
  for (const req of policy.requirements) {
    const r = checkRequirement(req, subject, bound, policy, input.clock, budget);
    if (r.satisfiedBy) {
      signers.set(JSON.stringify(r.satisfiedBy.verified.signer), r.satisfiedBy.verified.signer);
      satisfied.push(r.satisfiedBy);
    } else unsatisfied = true;
    reasons.push(...r.reasons);
  }
  if (unsatisfied) reasons.push(...failureReasons(ev));

  if (policy.requireAttestedDependencies) {
    const walk = new DependencyWalk(evidence, policy.requireAttestedDependencies.maxDepth);
    walk.visit(subject, bound, 1, [subject]);
    reasons.push(...walk.reasons);
  }
  return Object.freeze({
    allowed: reasons.length === 0,
    reasons: Object.freeze(reasons),
    signers: Object.freeze([...signers.values()]),
    attestations: Object.freeze(satisfied),
    policy: policy.name,
  });
}

function checkRequirement(
  req: Requirement,
  subject: string,
  bound: readonly VerifiedAttestation[],
  policy: ModelPolicy,
  clock: EvaluationClock | undefined,
  budget: SharedBudget,
): { satisfiedBy?: VerifiedAttestation; reasons: Reason[] } {
  const of = bound.filter((a) => predicateTypeMatches(req.predicateType, a.verified.statement.predicateType));
  const accepted = req.authorities ? of.filter((a) => req.authorities!.includes(a.authority)) : of;
  const who = (req.authorities ?? policy.authorities.map((a) => a.name)).join(', ');
  const reason = (code: string, message: string): Reason => ({
    code,
    message,
    subject,
    requirement: req.predicateType,
  });
  if (of.length === 0) {
    return {
      reasons: [
        reason(
          'ATTESTATION_MISSING',
          `no verified ${req.predicateType} attestation signed by any of [${who}]`,
        ),
      ],
    };
  }
  if (accepted.length === 0) {
    const by = [...new Set(of.map((a) => a.authority))].join(', ');
    return {
      reasons: [
        reason(
          'WRONG_AUTHORITY',
          `the ${req.predicateType} attestation is signed by [${by}], but this requirement accepts only [${who}]`,
        ),
      ],
    };
  }
  const reasons: Reason[] = [];
  for (const a of accepted) {
    const failed = runConditions(req.conditions, a, subject, clock, budget);
    if (failed.length === 0) return { satisfiedBy: a, reasons: [] };
    for (const f of failed) {
      if (reasons.length < MAX_REASONS_PER_REQUIREMENT)
        reasons.push({ ...reason(f.code, f.message), ...(f.source ? { source: f.source } : {}) });
    }
  }
  return { reasons };
}

function runConditions(
  conditions: readonly Condition[],
  a: VerifiedAttestation,
  subject: string,
  clock: EvaluationClock | undefined,
  budget: SharedBudget,
): { code: string; message: string; source?: string }[] {
  const out: { code: string; message: string; source?: string }[] = [];
  const stmt = a.verified.statement;
  const from = `(attestation by ${a.authority})`;
  const push = (code: string, message: string) =>
    out.push({ code, message, ...(a.source ? { source: a.source } : {}) });
  for (const c of conditions) {
    checkDeadline(clock, subject);
    const r: ConditionResult = c.evaluate(
      {
        predicate: stmt.predicate,
        subject,
        predicateType: stmt.predicateType,
        signer: a.verified.signer,
      },
      clock,
      budget,
    );
    switch (r.kind) {
      case 'true':
        break;
      case 'false':
        push('CONDITION_FAILED', `condition ${JSON.stringify(c.expression)} is false ${from}`);
        break;
      case 'not-bool':
        push(
          'CONDITION_NOT_BOOL',
          `condition ${JSON.stringify(c.expression)} gave a ${r.type}, not a bool ${from}`,
        );
        break;
      case 'error':
        push(
          'CONDITION_ERROR',
          `condition ${JSON.stringify(c.expression)} failed to evaluate: ${r.message} ${from}`,
        );
        break;
      case 'cost-exceeded':
        push(
          'CONDITION_COST_EXCEEDED',
          `condition ${JSON.stringify(c.expression)} exceeded the evaluation budget ${from}`,
        );
        break;
      case 'deadline-exceeded':
        throw deadlineExceeded(subject);
      default: {
        const never: never = r;
        throw new Error(`unhandled condition result ${JSON.stringify(never)}`);
      }
    }
  }
  return out;
}

class DependencyWalk {
  readonly reasons: Reason[] = [];
  readonly #done = new Set<string>();
  readonly #evidence: ReadonlyMap<string, Evidence>;
  readonly #maxDepth: number;

  constructor(evidence: ReadonlyMap<string, Evidence>, maxDepth: number) {
    this.#evidence = evidence;
    this.#maxDepth = maxDepth;
  }

  visit(
    digest: string,
    attestations: readonly VerifiedAttestation[],
    depth: number,
    path: readonly string[],
  ): void {
    if (this.#done.has(digest)) return;
    for (const dep of attestableDependencies(attestations)) {
      if (path.includes(dep.digest)) {
        this.reasons.push({
          code: 'DEPENDENCY_CYCLE',
          message: `dependency ${dep.label} (${dep.digest}) of ${digest} loops back to itself: ${[...path, dep.digest].join(' -> ')}`,
          subject: dep.digest,
        });
        continue;
      }
      const ev = this.#evidence.get(dep.digest) ?? emptyEvidence(dep.digest);
      const bound = boundAttestations(ev, dep.digest);
      if (bound.length === 0) {
        this.reasons.push({
          code: 'DEPENDENCY_NOT_ATTESTED',
          message: `dependency ${dep.label} (${dep.digest}) of ${digest} has no verified attestation from a trusted authority`,
          subject: dep.digest,
        });
        this.reasons.push(...failureReasons(ev));
        continue;
      }
      if (depth < this.#maxDepth) this.visit(dep.digest, bound, depth + 1, [...path, dep.digest]);
    }
    this.#done.add(digest);
  }
}

/** Only attestations whose signed subject really is this digest count (the verifier does not bind DSSE). */
export function boundAttestations(ev: Evidence, digest: string): readonly VerifiedAttestation[] {
  const hex = digest.slice('sha256:'.length);
  return ev.attestations.filter(
    (a) => a.contentOf === digest || a.verified.statement.subject.some((s) => s.digest?.['sha256'] === hex),
  );
}

function failureReasons(ev: Evidence): Reason[] {
  return ev.failures.map((f) => ({
    code: f.code,
    message: f.message,
    subject: ev.subject,
    // a store-level failure names the subject itself as its source: nothing to add
    ...(f.source && f.source !== ev.subject ? { source: f.source } : {}),
  }));
}

function emptyEvidence(subject: string): Evidence {
  return { subject, attestations: [], failures: [] };
}
