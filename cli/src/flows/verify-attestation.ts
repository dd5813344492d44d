import { resolve } from 'node:path';
import { PolicyError, UsageError } from '@modelseal/core';
import type { Reference, RegistryClientOptions } from '@modelseal/oci';
import type { Decision, Evidence, ModelPolicy, ParseOptions } from '@modelseal/policy';
import type { Store, StoredBundle } from '@modelseal/store';
import { readDocument } from '../options/documents.ts';
import { readBundleFile, readUserFile } from '../options/files.ts';
import { cliStore } from '../options/store.ts';
import { classifyTarget } from '../options/target.ts';
import { bindArtifact, resolveArtifact } from './artifact.ts';
import { isDigestRef, type Subject, subjectFromPath } from './subject.ts';

export interface VerifyAttestationOptions {
  /** a path to hash, `sha256:<hex>`, or an OCI reference (see options/target.ts) */
  readonly target: string;
  readonly policyFile?: string;
  /** with --policy: keep only this requirement; without: the required type for --key */
  readonly predicateType?: string;
  readonly keyFiles: readonly string[];
  /** cosign's --certificate-identity/--certificate-oidc-issuer (and regexp forms), instead of --policy */
  readonly identity?: CliIdentity;
  readonly trustedRootFile?: string;
  /** a ClientTrustConfig whose trustedRoot stands in for trustedRootFile */
  readonly trustConfigFile?: string;
  /** a store spec: dir:PATH, a path or oci://; default the reference's repository, else DEFAULT_STORE_PATH */
  readonly store?: string;
  readonly bundleFiles: readonly string[];
  readonly registry?: RegistryClientOptions;
}

export interface CliIdentity {
  readonly identity?: string;
  readonly identityRegexp?: string;
  readonly issuer?: string;
  readonly issuerRegexp?: string;
}

export interface VerifyAttestationResult {
  readonly subject: Subject;
  readonly decision: Decision;
  readonly evidence: ReadonlyMap<string, Evidence>;
}

export async function runVerifyAttestation(o: VerifyAttestationOptions): Promise<VerifyAttestationResult> {
  const { evaluate } = await import('@modelseal/policy');
  const { trustedRootOf } = await import('../options/sigstore.ts');
  // before hashing: a bad root or policy file should not cost a full hash. Same default as
  // `verify`: the public-good root shipped with modelseal (offline, no TUF fetch)
  const policy = await loadPolicy(o, { defaultTrustedRoot: await trustedRootOf(o) });
  // the Sigstore stack takes ~0.5 s to load: let it load while the worker threads hash
  const verifyModule = import('@modelseal/verify');
  verifyModule.catch(() => undefined);
  const { subject, store } = await subjectAndStore(o);
  const evidence = await gatherEvidence(
    { store, bundleFiles: o.bundleFiles },
    policy,
    subject.digest,
    verifyModule,
  );
  const decision = evaluate({ policy, subject: subject.digest, evidence });
  if (!decision.allowed) {
    throw new PolicyError({
      code: 'POLICY_DENIED',
      message: `policy ${policy.name} denies ${subject.name} (${subject.digest}):\n${decision.reasons
        .map(
          (r) =>
            `  - [${r.code}] ${r.message}${r.requirement ? ` [requirement ${r.requirement}]` : ''}${r.source ? ` (from ${r.source})` : ''}`,
        )
        .join('\n')}`,
      details: { subject, decision },
    });
  }
  return { subject, decision, evidence };
}

/** The subject digest and where its bundles are: a reference resolves to its manifest digest. */
async function subjectAndStore(o: VerifyAttestationOptions): Promise<{ subject: Subject; store: Store }> {
  const { DEFAULT_STORE_PATH } = await import('@modelseal/store');
  if (isDigestRef(o.target)) {
    const subject = { name: o.target, digest: o.target.toLowerCase() };
    return { subject, store: await cliStore(o.store ?? DEFAULT_STORE_PATH, o.registry) };
  }
  const target = await classifyTarget(o.target);
  if (target.kind === 'path') {
    const subject = await subjectFromPath(target.path);
    return { subject, store: await cliStore(o.store ?? DEFAULT_STORE_PATH, o.registry) };
  }
  return referenceSubject(target.ref, o);
}

/**
 * An OCI reference's subject (its manifest digest) and its store (default: the artifact's own
 * repository), answering with the artifact's content binding. `storeSpec` is where that is.
 */
export async function referenceSubject(
  ref: Reference,
  o: Pick<VerifyAttestationOptions, 'store' | 'registry'>,
): Promise<{ subject: Subject; store: Store; storeSpec: string }> {
  const artifact = await resolveArtifact(ref, o.registry ?? {});
  const storeSpec = o.store ?? artifact.store;
  const store = await cliStore(storeSpec, o.registry);
  return {
    subject: { name: artifact.name, digest: artifact.digest },
    store: await bindArtifact(store, artifact),
    storeSpec,
  };
}

/** The store's bundles and --bundle files for `subject`, verified against the policy's authorities. */
export async function gatherEvidence(
  o: { readonly store: Store; readonly bundleFiles: readonly string[] },
  policy: ModelPolicy,
  subject: string,
  verifyModule: Promise<typeof import('@modelseal/verify')> = import('@modelseal/verify'),
): Promise<Map<string, Evidence>> {
  const { collectEvidence } = await import('@modelseal/policy');
  const { verifyBundle } = await verifyModule;
  const extraBundles: StoredBundle[] = [];
  for (const f of o.bundleFiles) extraBundles.push({ bundle: readBundleFile(f), source: resolve(f) });
  return collectEvidence({
    policy,
    subject,
    store: o.store,
    extraBundles,
    verify: (bundle, authority) =>
      verifyBundle({
        bundle,
        trust: authority.trust,
        ...(authority.identity ? { identity: authority.identity } : {}),
      }),
  });
}

/**
 * --policy FILE, or --key PEMs and/or a Sigstore identity (cosign's flags) as a one-requirement
 * policy: the type (default SLSA) signed by one of them.
 */
export async function loadPolicy(
  o: Pick<VerifyAttestationOptions, 'policyFile' | 'predicateType' | 'keyFiles' | 'identity'>,
  parse: ParseOptions,
): Promise<ModelPolicy> {
  const { parsePolicy, POLICY_API_VERSION } = await import('@modelseal/policy');
  const id = o.identity ?? {};
  const wantsIdentity = Object.keys(id).length > 0;
  if (o.policyFile) {
    if (o.keyFiles.length > 0 || wantsIdentity)
      throw new UsageError({
        code: 'USAGE_CONFLICT',
        message: 'the policy names its trusted signers; drop --key and the identity options, or --policy',
      });
    const policy = parsePolicy(await readDocument(o.policyFile, 'policy', '--policy'), o.policyFile, parse);
    if (!o.predicateType) return policy;
    const requirements = policy.requirements.filter((r) => r.predicateType === o.predicateType);
    if (requirements.length === 0) {
      throw new UsageError({
        code: 'TYPE_NOT_IN_POLICY',
        message: `policy ${policy.name} has no requirement for ${o.predicateType}`,
      });
    }
    return Object.freeze({ ...policy, requirements });
  }
  if (o.keyFiles.length === 0 && !wantsIdentity)
    throw new UsageError({
      code: 'TRUST_MISSING',
      message:
        'give --policy policy.yaml, --key <public key PEM>, or --certificate-identity with --certificate-oidc-issuer',
    });
  if (wantsIdentity && !((id.identity || id.identityRegexp) && (id.issuer || id.issuerRegexp))) {
    throw new UsageError({
      code: 'IDENTITY_REQUIRED',
      message: 'a Sigstore signer is named by both its identity and its OIDC issuer',
    });
  }
  const keys: string[] = [];
  for (const f of o.keyFiles) keys.push(readUserFile(f, 'public key', '--key'));
  const authorities = [
    ...(keys.length > 0 ? [{ name: 'key', key: { publicKeys: keys } }] : []),
    ...(wantsIdentity ? [{ name: 'keyless', keyless: { ...id } }] : []),
  ];
  return parsePolicy(
    {
      apiVersion: POLICY_API_VERSION,
      kind: 'ModelPolicy',
      metadata: { name: 'command-line' },
      spec: { authorities, require: [{ predicateType: o.predicateType ?? 'slsa' }] },
    },
    wantsIdentity ? 'the command line' : '--key',
    parse,
  );
}

export function summarize(r: VerifyAttestationResult): Record<string, unknown> {
  return {
    ok: r.decision.allowed,
    subject: r.subject,
    policy: r.decision.policy,
    signers: r.decision.signers,
    attestations: [...r.evidence.values()].flatMap((e) =>
      e.attestations.map((a) => ({
        subject: e.subject,
        predicateType: a.verified.statement.predicateType,
        authority: a.authority,
        source: a.source,
      })),
    ),
    reasons: r.decision.reasons,
  };
}
