import { describe, expect, it } from 'vitest';
import type { WorkloadEntry } from '../src/inventory.ts';
import { policyReportOf, reportFingerprint } from '../src/policy-report.ts';

const entry = (models: WorkloadEntry['models'], uid: string | undefined = 'u1'): WorkloadEntry => ({
  kind: 'Pod',
  namespace: 'ml',
  name: 'p',
  ...(uid ? { uid } : {}),
  document: 0,
  verdict: 'denied',
  models,
});
const model = (volume: string, result: 'pass' | 'fail' | 'warn' | 'error', reasons = 0) => ({
  policy: 'release',
  volume,
  path: 'spec.volumes[0]',
  reference: `r/x:${volume}`,
  result,
  signers: [],
  reasons: Array.from({ length: reasons }, (_, i) => ({
    code: 'ATTESTATION_MISSING',
    message: `m${i} ${'x'.repeat(200)}`,
  })),
});

describe('policyReportOf', () => {
  it('counts every result kind, leaves digest out for an unpinned model and bounds the message', () => {
    const r = policyReportOf(
      entry([model('a', 'pass'), model('b', 'fail', 20), model('c', 'warn', 1), model('d', 'error', 1)]),
      new Date(1_700_000_000_500),
    )!;
    expect(r.summary).toEqual({ pass: 1, fail: 1, warn: 1, error: 1, skip: 0 });
    expect(r.metadata.name).toBe('modelseal-u1');
    expect(r.results[1]!.message.length).toBe(1024);
    expect(r.results[1]!.message.endsWith('…')).toBe(true);
    expect(r.results[0]!.properties).not.toHaveProperty('digest');
    expect(r.results[0]!.timestamp).toEqual({ seconds: 1_700_000_000, nanos: 0 });
  });

  it('no models or no uid: no report', () => {
    expect(policyReportOf(entry([]), new Date())).toBeUndefined();
    const { uid: _, ...noUid } = entry([model('a', 'pass')]);
    expect(policyReportOf(noUid, new Date())).toBeUndefined();
  });

  it('the fingerprint ignores timestamps and key order, not results', () => {
    const a = policyReportOf(entry([model('a', 'pass')]), new Date(1000))!;
    const b = policyReportOf(entry([model('a', 'pass')]), new Date(9_000_000))!;
    const c = policyReportOf(entry([model('a', 'fail', 1)]), new Date(1000))!;
    expect(reportFingerprint(a)).toBe(reportFingerprint(b));
    expect(
      reportFingerprint(
        JSON.parse(JSON.stringify({ results: a.results, summary: a.summary, scope: a.scope })),
      ),
    ).toBe(reportFingerprint(a));
    expect(reportFingerprint(a)).not.toBe(reportFingerprint(c));
  });
});
