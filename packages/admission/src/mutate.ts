/**
 * /mutate: the same engine as /validate (gather() gives the same findings), turned into a JSON
 * patch that pins tag-only model images to digests (`pin`, pin.ts) and injects one verifier init
 * container per admitted declared-digest volume (`runtime`). It never denies: a pod it cannot
 * patch (registry or store down, deadline, a policy failure) goes on to /validate, which denies
 * it, with the full message, for the same reason, for the tag, or for the missing check.
 */
import type { AdmissionRequest, AdmissionResponse } from './admission.ts';
import { type DecideDeps, gather, warning, withDeadline } from './decide.ts';
import { type PatchOp, planMutation } from './mutation.ts';
import { type PinConfig, type PinResult, pinnable, planPins } from './pin.ts';
import { podSpec } from './runtime.ts';
import { expectedVerifiers } from './runtime-validate.ts';
import type { VerifierConfig } from './verifier.ts';

export interface MutateDeps extends DecideDeps {
  /** start-up checks: verifier init containers for declared-digest volumes */
  readonly runtime?: VerifierConfig;
  /** tag pinning: resolve tag-only model images and rewrite or annotate them */
  readonly pin?: PinConfig;
}

export interface Mutation {
  readonly response: AdmissionResponse;
  /** how many verifier containers the patch adds */
  readonly injected: number;
  /** every tag-only model image looked at, resolved or not */
  readonly pins: readonly PinResult[];
}

export async function mutate(request: AdmissionRequest, deps: MutateDeps): Promise<Mutation> {
  let injected = 0;
  let pins: readonly PinResult[] = [];
  const response = await withDeadline(request, deps, async (clock) => {
    // pods only, at creation: templates stay as their authors wrote them (GitOps diffs stay
    // empty) and every pod they create passes through here anyway
    if (request.kind?.kind !== 'Pod' || request.operation !== 'CREATE' || request.subResource)
      return { uid: request.uid, allowed: true };
    const g = await gather(request, deps, clock);
    if ('response' in g) return g.response;
    const pinPlan = deps.pin
      ? await planPins(g.target, pinnable(g.findings), deps.pin, clock)
      : { patch: [], object: g.target, results: [] };
    pins = pinPlan.results;
    // the checks are planned on the pinned pod: a replaced initContainers list keeps the pins
    const { entries, expected } = deps.runtime
      ? expectedVerifiers(g, deps.runtime)
      : { entries: [], expected: [] };
    const plan = planMutation(podSpec(pinPlan.object, g.kind) ?? {}, expected);
    injected = plan.injected.length;
    const patch: PatchOp[] = [...pinPlan.patch, ...plan.patch];
    const audit: Record<string, string> = {};
    const warnings: string[] = [];
    for (const r of pinPlan.results) {
      const key = clip(
        `pin.${r.container ? 'container.' : ''}${r.name}`.replace(/[^A-Za-z0-9_.-]/g, '_'),
        63,
      );
      if (r.digest !== undefined && !r.failure)
        audit[key] = clip(`${r.reference} -> ${r.digest} (${deps.pin!.mode})`, 1024);
      else if (r.failure) {
        audit[key] = clip(`${r.reference} unresolved: ${r.failure.code}`, 1024);
        warnings.push(warning(`modelseal left ${r.path} unpinned: ${r.failure.code}: ${r.failure.message}`));
      }
    }
    // which digest each volume was admitted with and how it is checked, for the audit log
    for (const { check, container } of entries) {
      const s = check.content.serialization;
      const key = clip(`verify.${check.volume}`.replace(/[^A-Za-z0-9_.-]/g, '_'), 63);
      audit[key] = clip(
        `${check.content.digest} policy=${check.policy} authority=${check.content.authority} ` +
          `serialization=${s.method}/${s.hashType} ignored=${s.ignorePaths.length} container=${String(container.name)}`,
        1024,
      );
    }
    return {
      uid: request.uid,
      allowed: true,
      ...(patch.length > 0
        ? { patchType: 'JSONPatch' as const, patch: Buffer.from(JSON.stringify(patch)).toString('base64') }
        : {}),
      ...(warnings.length > 0 ? { warnings } : {}),
      ...(Object.keys(audit).length > 0 ? { auditAnnotations: audit } : {}),
    };
  });
  if (response.allowed) return { response, injected, pins };
  // the validating webhook gives the verdict; here a failure only means nothing was injected
  const why = response.status?.message ?? 'denied';
  return {
    response: {
      uid: request.uid,
      allowed: true,
      warnings: [warning(`modelseal /mutate injected nothing: ${why}`)],
    },
    injected: 0,
    pins: [],
  };
}

function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 3)}...`;
}
