import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BomAttestation, CycloneDxBom, ScanVerdict } from '@modelseal/bom';
import { NotFoundError } from '@modelseal/core';
import type { Resource } from '@modelseal/manifest';
import type { Decision, Evidence } from '@modelseal/policy';
import type { SignerConfig } from '@modelseal/sign';
import type { Store } from '@modelseal/store';
import { locateModel } from '../options/model.ts';
import { cliStore } from '../options/store.ts';
import { classifyTarget } from '../options/target.ts';
import type { AttestResult } from './attest.ts';
import { readCardSources, readFormats } from './bom-files.ts';
import type { BundleOutput } from './publish.ts';
import { hashPath, isDigestRef, type Subject } from './subject.ts';
import {
  gatherEvidence,
  loadPolicy,
  referenceSubject,
  type VerifyAttestationOptions,
} from './verify-attestation.ts';

export interface BomOptions extends Omit<VerifyAttestationOptions, 'predicateType'> {
  /** sign the BOM as an attestation about the model (`--attest`) */
  readonly attest?: { readonly signer: SignerConfig; readonly write: BundleOutput };
  readonly tool: { readonly name: string; readonly version: string };
  readonly now: Date;
  readonly serialNumber: string;
}

export interface BomResult {
  readonly subject: Subject;
  readonly bom: CycloneDxBom;
  readonly decision: Decision;
  /** what could not be used: bundles that did not verify, unreadable cards */
  readonly notes: readonly string[];
  readonly attested?: AttestResult;
}

/**
 * Everything the BOM says about signers, provenance and scans comes from attestations verified
 * against the policy's authorities; the file list comes from the verified model signature when
 * there is one (else from hashing the path, and the BOM says so).
 */
export async function runBom(o: BomOptions): Promise<BomResult> {
  const { evaluate } = await import('@modelseal/policy');
  const { trustedRootOf } = await import('../options/sigstore.ts');
  const policy = await loadPolicy(o, { defaultTrustedRoot: await trustedRootOf(o) });
  const verifyModule = import('@modelseal/verify');
  verifyModule.catch(() => undefined);
  const { subject, local, store, storeSpec } = await bomSubject(o);
  // the model's own signature (`sign` leaves model.sig in the directory) counts without --bundle
  const ownBundle = local ? locateModel(o.target, undefined).bundle : undefined;
  const bundleFiles = [...o.bundleFiles, ...(ownBundle && existsSync(ownBundle) ? [ownBundle] : [])];
  const evidence = await gatherEvidence({ store, bundleFiles }, policy, subject.digest, verifyModule);
  const decision = evaluate({ policy, subject: subject.digest, evidence });
  const notes = evidenceNotes(evidence.get(subject.digest));
  const bom = await buildBom(o, subject, local, evidence.get(subject.digest), decision, notes);
  // the BOM is filed where the model's attestations were read (a reference: its own repository)
  const attested = o.attest
    ? await attestBom(
        { ...o.attest, write: { ...o.attest.write, store: o.attest.write.store ?? storeSpec } },
        subject,
        bom,
      )
    : undefined;
  return { subject, bom, decision, notes, ...(attested ? { attested } : {}) };
}

/** A path is hashed here; `sha256:<hex>` is taken as given; an OCI reference resolves at its registry. */
async function bomSubject(o: BomOptions): Promise<{
  subject: Subject;
  local: Awaited<ReturnType<typeof hashPath>> | undefined;
  store: Store;
  storeSpec: string;
}> {
  const target = isDigestRef(o.target) ? undefined : await classifyTarget(o.target);
  if (target?.kind === 'oci') return { ...(await referenceSubject(target.ref, o)), local: undefined };
  const { DEFAULT_STORE_PATH } = await import('@modelseal/store');
  const storeSpec = o.store ?? DEFAULT_STORE_PATH;
  const store = await cliStore(storeSpec, o.registry);
  if (!target)
    return {
      subject: { name: o.target, digest: o.target.toLowerCase() },
      local: undefined,
      store,
      storeSpec,
    };
  const local = await hashPath(target.path);
  return { subject: local.subject, local, store, storeSpec };
}

async function buildBom(
  o: BomOptions,
  subject: Subject,
  local: Awaited<ReturnType<typeof hashPath>> | undefined,
  evidence: Evidence | undefined,
  decision: Decision,
  notes: string[],
): Promise<CycloneDxBom> {
  const bomLib = await import('@modelseal/bom');
  const { manifestFromOmsStatement, OMS_PREDICATE_TYPE, LEGACY_PREDICATE_TYPE, SLSA_PROVENANCE_V1 } =
    await import('@modelseal/attest');
  const verified = evidence?.attestations ?? [];
  const oms = verified.find((a) =>
    [OMS_PREDICATE_TYPE, LEGACY_PREDICATE_TYPE].includes(a.verified.statement.predicateType),
  );
  const signed = oms ? manifestFromOmsStatement(oms.verified.statement) : undefined;
  const resources: readonly Resource[] | undefined = signed?.resources ?? local?.manifest.resources;
  if (!resources) {
    throw new NotFoundError({
      code: 'BOM_NO_MANIFEST',
      message: `no verified model signature names the files of ${subject.digest}; give the model's path, or a store or --bundle holding its signature`,
      details: { subject },
    });
  }
  const attestations: BomAttestation[] = verified.map((a) => ({
    predicateType: a.verified.statement.predicateType,
    signer: a.verified.signer,
    authority: a.authority,
    bundleDigest: a.verified.bundleDigest,
    ...(a.source ? { location: locationOf(a.source) } : {}),
  }));
  const builds = verified
    .filter((a) => a.verified.statement.predicateType === SLSA_PROVENANCE_V1)
    .map((a) => bomLib.buildFromProvenance(a.verified.statement.predicate));
  const scans: ScanVerdict[] = verified.flatMap((a) =>
    bomLib.scanVerdictsFrom(a.verified.statement.predicateType, a.verified.statement.predicate, true),
  );
  const files = [...new Set(resources.map((r) => fileOf(r)))];
  const formats = local ? readFormats(o.target, files) : new Map();
  const card = local ? bomLib.modelCardFrom(readCardSources(o.target, new Set(files), notes)) : undefined;
  return bomLib.modelBom({
    model: {
      name: signed?.modelName ?? subject.name,
      subjectDigest: subject.digest.slice('sha256:'.length),
      resources,
      resourcesFrom: signed ? 'signature' : 'hash',
    },
    attestations,
    builds,
    formats,
    scans,
    ...(card ? { card } : {}),
    policy: {
      policy: decision.policy,
      allowed: decision.allowed,
      reasons: decision.reasons.map((r) => ({
        code: r.code,
        message: r.source ? `${r.source}: ${r.message}` : r.message,
      })),
    },
    tool: o.tool,
    timestamp: o.now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    serialNumber: o.serialNumber,
  });
}

/** A directory store's or --bundle's path as a file URL; a store that names URLs keeps them. */
function locationOf(source: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(source) ? source : pathToFileURL(resolve(source)).href;
}

function fileOf(r: Resource): string {
  // shards are `path:start:end` with a `-sharded-` algorithm
  return r.algorithm.includes('-sharded-') ? r.name.replace(/:\d+:\d+$/, '') : r.name;
}

function evidenceNotes(e: Evidence | undefined): string[] {
  return (e?.failures ?? []).map((f) => `not used: ${f.source}: [${f.code}] ${f.message}`);
}

async function attestBom(
  a: NonNullable<BomOptions['attest']>,
  subject: Subject,
  bom: CycloneDxBom,
): Promise<AttestResult> {
  const { runAttest } = await import('./attest.ts');
  const { PREDICATES } = await import('@modelseal/attest');
  return runAttest({
    target: { kind: 'ref', ref: `${subject.name}@${subject.digest}` },
    predicate: PREDICATES.cyclonedx,
    predicateValue: { ...bom },
    externalParameters: [],
    datasets: [],
    baseModels: [],
    signer: a.signer,
    write: a.write,
    env: {},
  });
}
