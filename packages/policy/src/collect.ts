import { isModelsealError } from '@modelseal/core';
import type { FoundBundles, StoredBundle } from '@modelseal/store';
import { checkDeadline } from './deadline.ts';
import { attestableDependencies } from './deps.ts';
import { boundAttestations } from './evaluate.ts';
import type { Authority, CollectInput, Evidence, EvidenceFailure, VerifiedAttestation } from './types.ts';

const MAX_SUBJECTS = 256;

/**
 * Gathers and verifies everything the policy could need: the subject's bundles, then (when the
 * policy requires attested dependencies) its provenance's dependencies, breadth first, to maxDepth.
 * Every failure is recorded as evidence; nothing here decides.
 */
export async function collectEvidence(input: CollectInput): Promise<Map<string, Evidence>> {
  const { policy } = input;
  const evidence = new Map<string, Evidence>();
  const maxDepth = policy.requireAttestedDependencies?.maxDepth ?? 0;
  const cache = new Map<string, Promise<VerifiedAttestation | EvidenceFailure>>();
  let frontier = [input.subject];

  for (let depth = 0; depth <= maxDepth && frontier.length > 0; depth++) {
    const next: string[] = [];
    for (const digest of frontier) {
      if (evidence.has(digest)) continue;
      if (evidence.size >= MAX_SUBJECTS) {
        evidence.set(digest, {
          subject: digest,
          attestations: [],
          failures: [
            {
              code: 'TOO_MANY_DEPENDENCIES',
              message: `over ${MAX_SUBJECTS} subjects; not checked`,
              source: digest,
            },
          ],
        });
        continue;
      }
      const ev = await collectOne(digest, input, cache);
      evidence.set(digest, ev);
      if (depth < maxDepth) {
        for (const dep of attestableDependencies(boundAttestations(ev, digest))) {
          if (!evidence.has(dep.digest)) next.push(dep.digest);
        }
      }
    }
    frontier = next;
  }
  return evidence;
}

async function collectOne(
  digest: string,
  input: CollectInput,
  cache: Map<string, Promise<VerifiedAttestation | EvidenceFailure>>,
): Promise<Evidence> {
  const attestations: VerifiedAttestation[] = [];
  const failures: EvidenceFailure[] = [];
  let stored: readonly StoredBundle[] = [];
  let binds: FoundBundles['binds'];
  try {
    const found = await input.store.find(digest);
    stored = found;
    binds = found.binds;
    failures.push(...(found.failures ?? []));
  } catch (e) {
    failures.push({ code: codeOf(e, 'STORE_FAILED'), message: messageOf(e), source: digest });
  }
  const hex = digest.slice('sha256:'.length);
  // --bundle files are offered for every subject; they only count where their statement names it
  const candidates = [
    ...stored.map((b) => ({ b, extra: false })),
    ...(input.extraBundles ?? []).map((b) => ({ b, extra: true })),
  ];
  for (const { b, extra } of candidates) {
    // verification is CPU work between awaits that never yield to timers: look at the clock here
    checkDeadline(input.clock, digest);
    const results = await Promise.all(
      input.policy.authorities.map((authority) => verifyCached(b, authority, input, cache)),
    );
    const ok = results.filter((r): r is VerifiedAttestation => 'verified' in r);
    if (ok.length === 0) {
      if (!extra) failures.push(summarize(b.source, results as EvidenceFailure[]));
      continue;
    }
    const bound = ok.flatMap((a): VerifiedAttestation[] => {
      if (a.verified.statement.subject.some((s) => s.digest?.['sha256'] === hex)) return [a];
      // only the store's own check of the content counts, never a name or digest in the bundle
      return binds?.(a.verified.statement) === true ? [{ ...a, contentOf: digest }] : [];
    });
    if (bound.length === 0) {
      if (!extra) {
        failures.push({
          code: 'SUBJECT_MISMATCH',
          message: `the bundle is filed under ${digest} but its signed statement names other subjects`,
          source: b.source,
        });
      }
      continue;
    }
    attestations.push(...bound);
  }
  return { subject: digest, attestations, failures };
}

function verifyCached(
  b: StoredBundle,
  authority: Authority,
  input: CollectInput,
  cache: Map<string, Promise<VerifiedAttestation | EvidenceFailure>>,
): Promise<VerifiedAttestation | EvidenceFailure> {
  const key = `${authority.name}\0${b.source}`;
  let p = cache.get(key);
  if (!p) {
    p = input.verify(b.bundle, authority).then(
      (verified): VerifiedAttestation => ({ authority: authority.name, verified, source: b.source }),
      (e): EvidenceFailure => ({
        code: codeOf(e, 'VERIFY_FAILED'),
        message: `${authority.name}: ${messageOf(e)}`,
        source: b.source,
      }),
    );
    cache.set(key, p);
  }
  return p;
}

/** One failure per bundle: it verified against no authority; say why for each. */
function summarize(source: string, fails: readonly EvidenceFailure[]): EvidenceFailure {
  const codes = [...new Set(fails.map((f) => f.code))];
  return {
    code: codes.length === 1 ? codes[0]! : 'NOT_VERIFIED',
    message: `verified against no authority of the policy (${fails.map((f) => f.message).join('; ')})`,
    source,
  };
}

function codeOf(e: unknown, fallback: string): string {
  return isModelsealError(e) ? e.code : fallback;
}

function messageOf(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).slice(0, 500);
}
