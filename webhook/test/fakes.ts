/**
 * In-test stand-ins for @modelseal/policy (parse/collect/evaluate) and @modelseal/verify until those
 * branches land: a "bundle" here is JSON naming the authority that "signed" it. They implement the
 * shared contract's shapes, so the webhook code under test is the real one.
 */
import { isRecord, sha256Hex, utf8, VerificationError } from '@modelseal/core';
import type { VerifiedStatement } from '@modelseal/verify';
import type { Decision, Evidence, ModelPolicy, PolicyEngine, Store, StoredBundle } from '../src/contract.ts';

export const MODEL_SIG = 'https://model_signing/signature/v1.0';
export const SLSA = 'https://slsa.dev/provenance/v1';

export function fakeBundle(subject: string, predicateType: string, signedBy: string): Uint8Array {
  return utf8(JSON.stringify({ subject, predicateType, signedBy }));
}

export async function fakeVerify(
  bundle: Uint8Array,
  authority: { name: string },
): Promise<VerifiedStatement> {
  const b = JSON.parse(new TextDecoder().decode(bundle)) as {
    subject: string;
    predicateType: string;
    signedBy: string;
  };
  if (b.signedBy !== authority.name) {
    throw new VerificationError({ code: 'SIGNATURE_INVALID', message: `not signed by ${authority.name}` });
  }
  return {
    payload: bundle,
    statement: {
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ digest: { sha256: b.subject.slice('sha256:'.length) } }],
      predicateType: b.predicateType,
      predicate: {},
    },
    signer: { kind: 'key', keyId: authority.name },
    bundleDigest: sha256Hex(bundle),
  };
}

interface FakeRequirement {
  predicateType: string;
  authorities?: string[];
}

export const fakeEngine: PolicyEngine = {
  parsePolicy(doc, source) {
    if (!isRecord(doc) || !isRecord(doc.spec) || !isRecord(doc.metadata))
      throw new Error(`${source}: bad policy`);
    const spec = doc.spec as Record<string, unknown>;
    const { mode, match, unpinned } = spec;
    return Object.freeze({
      name: String(doc.metadata.name),
      version: sha256Hex(JSON.stringify(spec)),
      authorities: ((spec.authorities as { name: string }[]) ?? []).map((a) => ({ name: a.name })),
      requirements: (spec.require as FakeRequirement[]) ?? [],
      admission: { mode, match, unpinned },
    });
  },
  async collectEvidence({ policy, subject, store, verify }) {
    const attestations: Evidence['attestations'][number][] = [];
    const failures: Evidence['failures'][number][] = [];
    for (const sb of await store.find(subject)) {
      for (const authority of policy.authorities) {
        try {
          attestations.push({ authority: authority.name, verified: await verify(sb.bundle, authority) });
        } catch (e) {
          failures.push({
            code: (e as { code?: string }).code ?? 'X',
            message: String(e),
            source: sb.source,
          });
        }
      }
    }
    return new Map([[subject, { subject, attestations, failures }]]);
  },
  evaluate({ policy, subject, evidence }): Decision {
    const ev = evidence.get(subject);
    const reasons = (policy.requirements as FakeRequirement[])
      .filter(
        (r) =>
          !ev?.attestations.some(
            (a) =>
              a.verified.statement.predicateType === r.predicateType &&
              (!r.authorities || r.authorities.includes(a.authority)),
          ),
      )
      .map((r) => ({
        code: 'MISSING_ATTESTATION',
        message: `no verified ${r.predicateType} attestation`,
        subject,
        requirement: r.predicateType,
      }));
    return {
      allowed: reasons.length === 0,
      reasons,
      signers: ev?.attestations.map((a) => a.verified.signer) ?? [],
      policy: policy.name,
    };
  },
};

export function memoryStore(): Store & {
  put(subject: string, predicateType: string, bundle: Uint8Array): void;
  calls: number;
} {
  const m = new Map<string, StoredBundle[]>();
  return {
    calls: 0,
    put(subject, predicateType, bundle) {
      m.set(subject, [...(m.get(subject) ?? []), { bundle, predicateType, source: `mem:${subject}` }]);
    },
    async find(subject) {
      this.calls++;
      return m.get(subject) ?? [];
    },
  };
}

export function policyDoc(name: string, spec: Record<string, unknown>, kind = 'ClusterModelPolicy') {
  return { apiVersion: 'modelseal.dev/v1alpha1', kind, metadata: { name }, spec };
}

export function asPolicy(doc: unknown): ModelPolicy {
  return fakeEngine.parsePolicy(doc, 'test');
}
