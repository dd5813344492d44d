/** /validate's start-up-check findings for one gathered request (see verifier-inspect.ts). */
import { isRecord } from '@modelseal/core';
import type { Gathered } from './decide.ts';
import { podSpecPath } from './extractor.ts';
import { type RuntimeFinding, type RuntimeProblem, runtimePlan } from './runtime.ts';
import { DIGEST_ANNOTATION_PREFIX } from './settings.ts';
import { type Container, type VerifierConfig, type VerifierEntry, verifierContainers } from './verifier.ts';
import { inspectVerifiers, skipAnnotations } from './verifier-inspect.ts';

export function runtimeFindings(g: Gathered): RuntimeFinding[] {
  return g.findings.map((f) => ({
    policy: f.policy.policy.name,
    volume: f.model.volume,
    path: f.model.path,
    // a modelcar's image is pulled by digest like an image volume: nothing to re-hash at start-up
    admitted: f.reasons.length === 0 && f.model.kind === 'pinned' && f.model.container !== true,
    mode: f.forced ?? f.policy.settings.mode,
    ...(f.content ? { content: f.content } : {}),
  }));
}

/** The verifier containers the decision gives for this request's pod (spec). */
export function expectedVerifiers(
  g: Gathered,
  config: VerifierConfig,
): { entries: VerifierEntry[]; expected: Container[]; problems: RuntimeProblem[] } {
  const plan = runtimePlan(g.target, g.kind, runtimeFindings(g));
  const entries = verifierContainers(plan.checks, config);
  return { entries, expected: entries.map((e) => e.container), problems: [...plan.problems] };
}

export interface RuntimeVerdict {
  readonly denials: readonly string[];
  readonly warnings: readonly string[];
}

export function runtimeDenials(g: Gathered, config: VerifierConfig): RuntimeVerdict {
  if (g.findings.length === 0) return { denials: [], warnings: [] };
  const { expected, problems } = expectedVerifiers(g, config);
  const sub = g.request.subResource;
  const inspected = inspectVerifiers({
    object: g.target,
    kind: g.kind,
    expected,
    config,
    requirePresence: g.kind === 'Pod' && !sub,
    // an ephemeral-container update can add containers only: look at those
    ...(sub ? { fields: ['ephemeralContainers'] as const } : {}),
  });
  const known = [
    DIGEST_ANNOTATION_PREFIX,
    ...new Set(g.findings.map((f) => f.policy.settings.volumes.annotation)),
  ];
  const skips = skipAnnotations(annotationsOf(g), known).map(
    (k): RuntimeProblem => ({
      code: 'VERIFIER_SKIP_REFUSED',
      message: `annotation ${JSON.stringify(k.slice(0, 100))} asks to skip or change the start-up check; a pod cannot: remove it`,
    }),
  );
  const all = [...problems, ...(sub ? [] : skips), ...inspected];
  const line = (p: RuntimeProblem) => `start-up check: ${p.code}: ${p.message}`;
  return {
    denials: all.filter((p) => (p.mode ?? 'enforce') === 'enforce').map(line),
    warnings: all.filter((p) => p.mode === 'warn').map(line),
  };
}

/** Only the pod (template) metadata counts, as for the digest annotations. */
function annotationsOf(g: Gathered): unknown {
  const spec = podSpecPath(g.kind) ?? ['spec'];
  let cur: unknown = g.target;
  for (const k of [...spec.slice(0, -1), 'metadata', 'annotations']) cur = isRecord(cur) ? cur[k] : undefined;
  return cur;
}
