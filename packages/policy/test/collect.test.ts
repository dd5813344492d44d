import { describe, expect, it } from 'vitest';
import { collectEvidence, evaluate, parsePolicy } from '../src/index.ts';
import { dig, memoryWorld, OMS, PARSE, provenance, publicKeyPem, SLSA, statement } from './fixtures.ts';

const KEY = publicKeyPem();
const policy = (maxDepth?: number) =>
  parsePolicy(
    {
      apiVersion: 'modelseal.dev/v1alpha1',
      kind: 'ClusterModelPolicy',
      metadata: { name: 'p' },
      spec: {
        authorities: [
          { name: 'alice', key: { publicKey: KEY } },
          { name: 'bob', key: { publicKey: KEY } },
        ],
        require: [{ predicateType: 'slsa' }],
        ...(maxDepth ? { requireAttestedDependencies: { maxDepth } } : {}),
      },
    },
    't',
    PARSE,
  );

describe('collectEvidence', () => {
  it('verifies every bundle against every authority and records the failures', async () => {
    const w = memoryWorld();
    const M = dig('a');
    w.put(M, statement('a', SLSA, provenance([])), 'alice');
    w.put(M, statement('a', OMS), 'mallory');
    w.put(M, statement('b', SLSA, provenance([])), 'bob');
    const ev = await collectEvidence({ policy: policy(), subject: M, store: w.store, verify: w.verify });
    const e = ev.get(M)!;
    expect(e.attestations.map((a) => a.authority)).toEqual(['alice']);
    expect(e.failures.map((f) => f.code)).toEqual(['SIGNATURE_INVALID', 'SUBJECT_MISMATCH']);
    expect(ev.size).toBe(1);
  });

  it('follows dataset dependencies to maxDepth, once each, and feeds evaluate', async () => {
    const w = memoryWorld();
    const [M, D, E, F] = [dig('a'), dig('d'), dig('e'), dig('f')];
    w.put(
      M,
      statement(
        'a',
        SLSA,
        provenance([
          { c: 'd', uri: 'data' },
          { c: 'e', uri: 'base' },
          { c: 'f', uri: 'git', role: 'source' },
        ]),
      ),
      'alice',
    );
    w.put(
      D,
      statement(
        'd',
        SLSA,
        provenance([
          { c: 'e', uri: 'base' },
          { c: 'a', uri: 'loop' },
        ]),
      ),
      'bob',
    );
    w.put(E, statement('e', OMS), 'bob');
    const ev = await collectEvidence({ policy: policy(3), subject: M, store: w.store, verify: w.verify });
    expect([...ev.keys()].sort()).toEqual([M, D, E].sort());
    expect(w.finds.filter((d) => d === E)).toHaveLength(1);
    expect(w.finds).not.toContain(F);
    const decision = evaluate({ policy: policy(3), subject: M, evidence: ev });
    expect(decision.reasons.map((r) => r.code)).toEqual(['DEPENDENCY_CYCLE']);

    const shallow = await collectEvidence({
      policy: policy(1),
      subject: M,
      store: w.store,
      verify: w.verify,
    });
    expect([...shallow.keys()].sort()).toEqual([M, D, E].sort());
    expect(evaluate({ policy: policy(1), subject: M, evidence: shallow }).allowed).toBe(true);
  });

  it('does not fetch dependencies when the policy does not ask for them', async () => {
    const w = memoryWorld();
    const M = dig('a');
    w.put(M, statement('a', SLSA, provenance([{ c: 'd', uri: 'data' }])), 'alice');
    const ev = await collectEvidence({ policy: policy(), subject: M, store: w.store, verify: w.verify });
    expect([...ev.keys()]).toEqual([M]);
  });

  it('uses extra bundles only for the subjects they name, and survives a throwing store', async () => {
    const w = memoryWorld();
    const [M, D] = [dig('a'), dig('d')];
    w.put(M, statement('a', SLSA, provenance([{ c: 'd', uri: 'data' }])), 'alice');
    w.put(D, statement('d', OMS), 'alice');
    const extra = w.bundles.get(D)!;
    const store = {
      async find(digest: string) {
        if (digest === D) throw new Error('disk on fire');
        return w.store.find(digest);
      },
    };
    const ev = await collectEvidence({
      policy: policy(2),
      subject: M,
      store,
      verify: w.verify,
      extraBundles: extra,
    });
    expect(ev.get(D)!.attestations).toHaveLength(1);
    expect(ev.get(D)!.failures.map((f) => f.code)).toEqual(['STORE_FAILED']);
    expect(ev.get(M)!.attestations).toHaveLength(1);
    expect(ev.get(M)!.failures).toEqual([]);
    expect(evaluate({ policy: policy(2), subject: M, evidence: ev }).allowed).toBe(true);
  });
});
