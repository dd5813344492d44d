import { generateKeyPairSync } from 'node:crypto';
import type { Statement } from '@modelseal/attest';
import { VerificationError } from '@modelseal/core';
import type { FoundBundles, Store, StoredBundle } from '@modelseal/store';
import { publicGoodTrustedRoot, type VerifiedStatement } from '@modelseal/verify';
import type { Authority, Evidence, VerifiedAttestation } from '../src/index.ts';

/** what every edge passes parsePolicy: the root for keyless authorities without their own */
export const PARSE = Object.freeze({ defaultTrustedRoot: publicGoodTrustedRoot() });
export const SLSA = 'https://slsa.dev/provenance/v1';
export const OMS = 'https://model_signing/signature/v1.0';
export const hexOf = (c: string) => c.repeat(64);
export const dig = (c: string) => `sha256:${hexOf(c)}`;

export const publicKeyPem = (): string =>
  generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .publicKey.export({ type: 'spki', format: 'pem' })
    .toString();

export function statement(
  subjectChar: string,
  predicateType: string,
  predicate: Record<string, unknown> = {},
): Statement {
  return {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'm', digest: { sha256: hexOf(subjectChar) } }],
    predicateType,
    predicate,
  };
}

export function verified(stmt: Statement, keyId = 'k1'): VerifiedStatement {
  const payload = new TextEncoder().encode(JSON.stringify(stmt));
  return { payload, statement: stmt, signer: { kind: 'key', keyId }, bundleDigest: 'b'.repeat(64) };
}

export function att(authority: string, stmt: Statement): VerifiedAttestation {
  return { authority, verified: verified(stmt, authority), source: `mem:${authority}` };
}

export function provenance(deps: { c: string; uri: string; role?: string }[]): Record<string, unknown> {
  return {
    buildDefinition: {
      buildType: 'https://modelseal.dev/training/v1',
      externalParameters: {},
      resolvedDependencies: deps.map((d) => ({
        uri: d.uri,
        digest: { sha256: hexOf(d.c) },
        ...(d.role ? { annotations: { 'modelseal.dev/role': d.role } } : {}),
      })),
    },
    runDetails: { builder: { id: 'https://ci.example/builder' } },
  };
}

export function evidenceMap(entries: Record<string, VerifiedAttestation[]>): Map<string, Evidence> {
  return new Map(Object.entries(entries).map(([d, a]) => [d, { subject: d, attestations: a, failures: [] }]));
}

/**
 * In-memory store + verifier: a "bundle" is the JSON of { statement, signedBy }, and verification
 * succeeds when the authority's name is signedBy. Enough to drive collectEvidence's bookkeeping.
 */
export function memoryWorld() {
  const bundles = new Map<string, StoredBundle[]>();
  const finds: string[] = [];
  const store: Store = {
    async find(digest: string): Promise<FoundBundles> {
      finds.push(digest);
      return bundles.get(digest) ?? [];
    },
  };
  const put = (digest: string, stmt: Statement, signedBy: string) => {
    const list = bundles.get(digest) ?? [];
    const bundle = new TextEncoder().encode(JSON.stringify({ statement: stmt, signedBy }));
    list.push({ bundle, source: `mem:${digest.slice(7, 11)}:${list.length}` });
    bundles.set(digest, list);
  };
  const verify = async (bundle: Uint8Array, authority: Authority): Promise<VerifiedStatement> => {
    const doc = JSON.parse(new TextDecoder().decode(bundle)) as { statement: Statement; signedBy: string };
    if (doc.signedBy !== authority.name) {
      throw new VerificationError({
        code: 'SIGNATURE_INVALID',
        message: `signature does not match ${authority.name}`,
      });
    }
    return verified(doc.statement, authority.name);
  };
  return { store, put, verify, finds, bundles };
}
