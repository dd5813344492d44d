/**
 * What a start-up check must re-hash a volume with, taken from the verified OMS attestation that
 * admitted its digest. Nothing here reads the pod: the digest is the checked subject and every
 * serialization parameter is the signer's, so a pod author cannot widen the ignore set.
 */
import { manifestFromOmsStatement, OMS_PREDICATE_TYPE } from '@modelseal/attest';
import { isRecord } from '@modelseal/core';
import { GIT_PATHS, type Serialization } from '@modelseal/manifest';
import { boundAttestations } from '@modelseal/policy';
import type { Decision, Evidence, VerifiedAttestation } from './contract.ts';

export interface AdmittedContent {
  /** `sha256:<hex>`, the OMS subject (root) digest */
  readonly digest: string;
  /** exactly as signed; the ignore list is complete (git paths included only where signed or implied) */
  readonly serialization: Serialization;
  /** the authority whose attestation gave it */
  readonly authority: string;
  /** the signed OMS predicate `{serialization, resources}` as compact JSON, for naming files; absent when over the cap */
  readonly predicate?: string;
  readonly resources: number;
}

/** Kept well below a pod's size limits: a pod carries it once per checked volume (in an env var). */
export const PREDICATE_EMBED_MAX = 32 * 1024;

/**
 * The OMS attestation that satisfied one of the policy's requirements wins; otherwise (a policy
 * that requires only provenance, say) a verified OMS attestation bound to the subject from the
 * policy's authorities, the one with the fewest ignore paths (the strictest). Undefined when no
 * verified attestation says how the digest was computed.
 */
export function admittedContent(
  subject: string,
  decision: Decision,
  evidence: ReadonlyMap<string, Evidence> | undefined,
): AdmittedContent | undefined {
  const satisfied = (decision.attestations ?? []).filter(isOms);
  const ev = evidence?.get(subject);
  const bound = ev ? boundAttestations(ev, subject).filter(isOms) : [];
  const candidates = satisfied.length > 0 ? satisfied : [...bound].sort(byIgnoreCount);
  for (const a of candidates) {
    const content = contentOf(a, subject);
    if (content) return content;
  }
  return undefined;
}

function isOms(a: VerifiedAttestation): boolean {
  return a.verified.statement.predicateType === OMS_PREDICATE_TYPE;
}

function ignoreCount(a: VerifiedAttestation): number {
  const s = isRecord(a.verified.statement.predicate)
    ? a.verified.statement.predicate.serialization
    : undefined;
  return isRecord(s) && Array.isArray(s.ignore_paths) ? s.ignore_paths.length : 0;
}

const byIgnoreCount = (a: VerifiedAttestation, b: VerifiedAttestation) => ignoreCount(a) - ignoreCount(b);

function contentOf(a: VerifiedAttestation, subject: string): AdmittedContent | undefined {
  let manifest: ReturnType<typeof manifestFromOmsStatement>;
  try {
    manifest = manifestFromOmsStatement(a.verified.statement);
  } catch {
    // a signed statement whose resources do not give its subject says nothing usable about bytes
    return undefined;
  }
  if (`sha256:${manifest.subjectDigest}` !== subject) return undefined;
  const raw = a.verified.statement.predicate.serialization;
  // model_signing before 1.1 recorded no ignore_paths and verified with its defaults: the git
  // paths and the default bundle name. From 1.1 on (and here) the list is complete as signed.
  const listed = isRecord(raw) && Array.isArray(raw.ignore_paths);
  const serialization: Serialization = listed
    ? manifest.serialization
    : { ...manifest.serialization, ignorePaths: [...GIT_PATHS, 'model.sig'] };
  const predicate = JSON.stringify({
    serialization: omsSerialization(serialization),
    resources: manifest.resources.map((r) => ({ name: r.name, algorithm: r.algorithm, digest: r.digest })),
  });
  return Object.freeze({
    digest: subject,
    serialization,
    authority: a.authority,
    ...(predicate.length <= PREDICATE_EMBED_MAX ? { predicate } : {}),
    resources: manifest.resources.length,
  });
}

function omsSerialization(s: Serialization): Record<string, unknown> {
  return {
    method: s.method,
    hash_type: s.hashType,
    allow_symlinks: s.allowSymlinks,
    ...(s.method === 'shards' ? { shard_size: s.shardSize } : {}),
    ignore_paths: s.ignorePaths,
  };
}
