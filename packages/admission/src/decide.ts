import { isModelsealError, isRecord } from '@modelseal/core';
import { describeSigner, type SignerInfo } from '@modelseal/verify';
import type { AdmissionRequest, AdmissionResponse } from './admission.ts';
import type { AdmittedContent } from './admitted.ts';
import type { Checker } from './checker.ts';
import type { EvaluationClock, Reason } from './contract.ts';
import { ADMITTED_KINDS, createExtractor, type ModelRef } from './extractor.ts';
import { globMatch } from './glob.ts';
import { changedImage } from './modelcars.ts';
import { type RuntimeVerdict, runtimeDenials } from './runtime-validate.ts';
import { type AdmissionPolicy, policyApplies } from './settings.ts';
import type { VerifierConfig } from './verifier.ts';

export interface DecideDeps {
  /** the current policy snapshot; throws when policies could not be loaded (-> deny) */
  readonly policies: () => readonly AdmissionPolicy[];
  readonly checker: Checker;
  /** ms inside which decide() answers, kept below the webhook's timeoutSeconds */
  readonly deadlineMs: number;
  /** monotonic milliseconds (default performance.now) */
  readonly now?: () => number;
  /**
   * namespaces (names or globs) admitted untouched, whatever the policies say: the system's own
   * and the webhook's, so a misconfigured namespaceSelector cannot lock the cluster out
   */
  readonly excludeNamespaces?: readonly string[];
  /**
   * start-up checks on (the `--verifier-image` flag): /validate then requires the verifier init
   * containers /mutate injects, exactly, and denies anything imitating or skipping them
   */
  readonly runtime?: VerifierConfig;
}

/** Result for one model under one policy. */
export interface Finding {
  readonly policy: AdmissionPolicy;
  readonly model: ModelRef;
  readonly reasons: readonly Reason[];
  readonly signers: readonly SignerInfo[];
  /** set by `unpinned` for an unpinned model: enforce (deny) or warn, whatever the policy's mode */
  readonly forced?: 'enforce' | 'warn';
  /** for an admitted model: what its admitting OMS attestation says the bytes are */
  readonly content?: AdmittedContent;
}

/** What the engine made of a request it looks at: the object, its findings, how to name it. */
export interface Gathered {
  readonly uid: string;
  readonly kind: string;
  readonly request: AdmissionRequest;
  /** the object with the request's kind set */
  readonly target: Record<string, unknown>;
  /** e.g. `Pod ml-serving/llm` */
  readonly what: string;
  readonly findings: readonly Finding[];
}

export const WARNING_MAX = 120;
const MESSAGE_MAX = 16 * 1024;

/**
 * Starts from deny and never throws: every unexpected failure, a slow store included, becomes a
 * deny whose message carries a code (fail closed). Pure apart from the deadline timer and clock.
 * The timer cuts a wait (a slow store); CPU work never yields to it, so the checker is handed the
 * deadline too and stops between steps (bundles, conditions) and inside CEL evaluation.
 */
export function decide(request: AdmissionRequest, deps: DecideDeps): Promise<AdmissionResponse> {
  return withDeadline(request, deps, async (clock) => {
    const g = await gather(request, deps, clock);
    if ('response' in g) return g.response;
    // a pod update changes container images only: start-up checks were settled at creation
    const extra =
      deps.runtime && !isPodUpdate(request) ? runtimeDenials(g, deps.runtime) : { denials: [], warnings: [] };
    return respond(g.uid, g.what, g.findings, extra);
  });
}

/** The deadline and fail-closed frame that decide() and mutate() share. */
export async function withDeadline(
  request: AdmissionRequest,
  deps: Pick<DecideDeps, 'deadlineMs' | 'now'>,
  inner: (clock: EvaluationClock) => Promise<AdmissionResponse>,
): Promise<AdmissionResponse> {
  const uid = request.uid;
  const now = deps.now ?? (() => performance.now());
  const clock: EvaluationClock = { now, deadline: now() + deps.deadlineMs };
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<AdmissionResponse>((resolve) => {
    timer = setTimeout(() => resolve(deadlineDeny(uid, deps.deadlineMs)), deps.deadlineMs);
  });
  try {
    return await Promise.race([inner(clock), deadline]);
  } catch (e) {
    const code = isModelsealError(e) ? e.code : 'INTERNAL';
    const msg = e instanceof Error ? e.message : String(e);
    return deny(uid, `modelseal: ${code}: ${msg}; denied to fail closed`);
  } finally {
    clearTimeout(timer);
  }
}

function deadlineDeny(uid: string, ms: number): AdmissionResponse {
  return deny(
    uid,
    `modelseal: DEADLINE_EXCEEDED: attestations could not be fetched and verified within ${ms} ms; denied to fail closed, retry shortly`,
  );
}

/** Everything up to the verdict: which policies apply, and each model's finding under each. */
export async function gather(
  request: AdmissionRequest,
  deps: DecideDeps,
  clock: EvaluationClock,
): Promise<Gathered | { readonly response: AdmissionResponse }> {
  const uid = request.uid;
  const allow = { response: { uid, allowed: true } };
  const kind = request.kind?.kind ?? '';
  if (!ADMITTED_KINDS.includes(kind) || !inScope(request, kind)) return allow;
  const object = request.object;
  if (!isRecord(object))
    return { response: deny(uid, `modelseal: REQUEST_NO_OBJECT: ${kind} request carries no object`) };
  const meta = isRecord(object.metadata) ? object.metadata : {};
  const namespace = request.namespace ?? (typeof meta.namespace === 'string' ? meta.namespace : '');
  const name = request.name || (typeof meta.name === 'string' ? meta.name : '') || '(generated name)';
  if (deps.excludeNamespaces?.some((g) => globMatch(g, namespace))) return allow;
  // the kind in the request is authoritative; the object's own field may be missing
  const target = { ...object, kind };
  const applicable = deps.policies().filter((p) => policyApplies(p, namespace));
  if (applicable.length === 0) return allow;

  const counts = isPodUpdate(request) ? changedImage(request.oldObject) : () => true;
  const findings = await Promise.all(
    applicable.flatMap((policy) =>
      createExtractor(policy.settings)
        .models(target)
        .filter(counts)
        .map((model) => examine(policy, model, deps.checker, clock)),
    ),
  );
  // a check cut short is no verdict: whatever the mode, the whole answer is the deadline's deny
  if (findings.some((f) => f.reasons.some((r) => r.code === 'DEADLINE_EXCEEDED')))
    return { response: deadlineDeny(uid, deps.deadlineMs) };
  return { uid, kind, request, target, what: `${kind} ${namespace ? `${namespace}/` : ''}${name}`, findings };
}

function inScope(request: AdmissionRequest, kind: string): boolean {
  if (request.operation === 'CREATE') return request.subResource === undefined || request.subResource === '';
  if (request.operation !== 'UPDATE') return false;
  // pod volumes are immutable; only ephemeral containers can reach them after creation, and
  // a plain update can change container images (a modelcar's: see changedImage)
  if (kind === 'Pod') return request.subResource === 'ephemeralcontainers' || !request.subResource;
  return !request.subResource;
}

function isPodUpdate(request: AdmissionRequest): boolean {
  return request.kind?.kind === 'Pod' && request.operation === 'UPDATE' && !request.subResource;
}

/** One model under one policy; never throws (a failed check is a reason). The inventory reuses it. */
export async function examine(
  policy: AdmissionPolicy,
  model: ModelRef,
  checker: Checker,
  clock: EvaluationClock,
): Promise<Finding> {
  const base = { policy, model, signers: [] as SignerInfo[] };
  if (policy.broken !== undefined) {
    return { ...base, reasons: [{ code: 'POLICY_INVALID', message: policy.broken, subject: '' }] };
  }
  switch (model.kind) {
    case 'unpinned':
      return {
        ...base,
        ...(policy.settings.unpinned
          ? { forced: policy.settings.unpinned === 'deny' ? ('enforce' as const) : ('warn' as const) }
          : {}),
        reasons: [{ code: 'UNPINNED_MODEL', message: `${model.what}; ${model.hint}`, subject: '' }],
      };
    case 'invalid':
      return { ...base, reasons: [{ code: model.code, message: model.problem, subject: '' }] };
    case 'pinned':
      try {
        const d = await checker.check(model.digest, policy.policy, clock);
        const reasons =
          d.allowed || d.reasons.length > 0
            ? d.reasons
            : [{ code: 'POLICY_DENIED', message: 'denied without a reason', subject: model.digest }];
        return {
          ...base,
          signers: d.signers,
          reasons: d.allowed ? [] : reasons,
          ...(d.allowed && d.admitted ? { content: d.admitted } : {}),
        };
      } catch (e) {
        const code = isModelsealError(e) ? e.code : 'CHECK_FAILED';
        const message = e instanceof Error ? e.message : String(e);
        return { ...base, reasons: [{ code, message, subject: model.digest }] };
      }
    default:
      return assertNever(model);
  }
}

function respond(
  uid: string,
  what: string,
  findings: readonly Finding[],
  runtime: RuntimeVerdict,
): AdmissionResponse {
  const denials: string[] = [...runtime.denials];
  const warnings: string[] = runtime.warnings.map(warning);
  const audit: Record<string, string> = {};
  for (const f of findings) {
    const failed = f.reasons.length > 0;
    audit[auditKey(f)] = auditValue(f);
    if (!failed) continue;
    const mode = f.forced ?? f.policy.settings.mode;
    switch (mode) {
      case 'enforce':
        denials.push(
          `policy ${f.policy.policy.name}: ${describe(f.model)}: ${f.reasons.map(formatReason).join('; ')}`,
        );
        break;
      case 'warn':
        for (const r of f.reasons)
          warnings.push(warning(`${f.policy.policy.name} ${f.model.path} ${r.code}: ${r.message}`));
        break;
      case 'audit':
        break;
      default:
        assertNever(mode);
    }
  }
  const extra = {
    ...(warnings.length > 0 ? { warnings } : {}),
    ...(Object.keys(audit).length > 0 ? { auditAnnotations: audit } : {}),
  };
  if (denials.length === 0) return { uid, allowed: true, ...extra };
  const message = clip(`modelseal denied ${what}: ${denials.join(' | ')}`, MESSAGE_MAX);
  return { ...deny(uid, message), ...extra };
}

function describe(m: ModelRef): string {
  const digest = m.kind === 'pinned' ? m.digest : 'none';
  return `${m.path} (${m.container ? 'container' : 'volume'} ${m.volume}, model ${m.reference}, digest ${digest})`;
}

function formatReason(r: Reason): string {
  return `${r.code}: ${r.message}${r.requirement ? ` [requirement ${r.requirement}]` : ''}`;
}

function auditKey(f: Finding): string {
  // qualified-name rules: <= 63 characters of [A-Za-z0-9_.-]
  // volume names have no dots, so a container's key cannot collide with a volume's
  const name = f.model.container ? `container.${f.model.volume}` : f.model.volume;
  return clip(`${f.policy.policy.name}.${name}`.replace(/[^A-Za-z0-9_.-]/g, '_'), 63);
}

function auditValue(f: Finding): string {
  const digest = f.model.kind === 'pinned' ? f.model.digest : 'unpinned';
  const verdict = f.reasons.length === 0 ? 'ok' : f.reasons.map((r) => r.code).join(',');
  const signers = f.signers.map(describeSigner).join(',') || 'none';
  return clip(`${digest} signers=${signers} result=${verdict}`, 1024);
}

/** Warnings travel as HTTP headers: printable ASCII, <= 120 characters. */
export function warning(text: string): string {
  return clip(text.replace(/[^\x20-\x7e]/g, '?'), WARNING_MAX);
}

function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 3)}...`;
}

export function deny(uid: string, message: string): AdmissionResponse {
  return { uid, allowed: false, status: { code: 403, reason: 'Forbidden', message } };
}

function assertNever(x: never): never {
  throw new Error(`unhandled case ${JSON.stringify(x)}`);
}
