/**
 * /mutate: the same engine as /validate (gather() gives the same findings), turned into a JSON
 * patch that injects one verifier init container per admitted declared-digest volume. It never
 * denies: a pod it cannot patch (store down, deadline, a policy failure) goes on to /validate,
 * which denies it, with the full message, for the same reason or for the missing check.
 */
import type { AdmissionRequest, AdmissionResponse } from './admission.ts';
import { type DecideDeps, gather, withDeadline } from './decide.ts';
import { warning } from './messages.ts';
import { planMutation } from './mutation.ts';
import { podSpec } from './runtime.ts';
import { expectedVerifiers } from './runtime-validate.ts';
import type { VerifierConfig } from './verifier.ts';

export interface MutateDeps extends DecideDeps {
  readonly runtime: VerifierConfig;
}

export interface Mutation {
  readonly response: AdmissionResponse;
  /** how many verifier containers the patch adds */
  readonly injected: number;
}

export async function mutate(request: AdmissionRequest, deps: MutateDeps): Promise<Mutation> {
  let injected = 0;
  const response = await withDeadline(request, deps, async (clock) => {
    // pods only, at creation: templates stay as their authors wrote them (GitOps diffs stay
    // empty) and every pod they create passes through here anyway
    if (request.kind?.kind !== 'Pod' || request.operation !== 'CREATE' || request.subResource)
      return { uid: request.uid, allowed: true };
    const g = await gather(request, deps, clock);
    if ('response' in g) return g.response;
    const { entries, expected } = expectedVerifiers(g, deps.runtime);
    const plan = planMutation(podSpec(g.target, g.kind) ?? {}, expected);
    injected = plan.injected.length;
    // which digest each volume was admitted with and how it is checked, for the audit log
    const audit: Record<string, string> = {};
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
      ...(plan.patch.length > 0
        ? {
            patchType: 'JSONPatch' as const,
            patch: Buffer.from(JSON.stringify(plan.patch)).toString('base64'),
          }
        : {}),
      ...(Object.keys(audit).length > 0 ? { auditAnnotations: audit } : {}),
    };
  });
  if (response.allowed) return { response, injected };
  // the validating webhook gives the verdict; here a failure only means nothing was injected
  const why = response.status?.message ?? 'denied';
  return {
    response: {
      uid: request.uid,
      allowed: true,
      warnings: [warning(`modelseal /mutate injected nothing: ${why}`)],
    },
    injected: 0,
  };
}

function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 3)}...`;
}
