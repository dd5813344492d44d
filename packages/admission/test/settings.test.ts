import { describe, expect, it } from 'vitest';
import { codeOf as code } from '../../../test/codes.ts';
import { toAdmissionPolicy } from '../src/policies.ts';
import { policyApplies } from '../src/settings.ts';
import { policyDoc, testEngine, testSigner } from './signing.ts';

const keys = { k: testSigner() };
const cluster = (spec: Record<string, unknown>) =>
  toAdmissionPolicy(policyDoc('p', keys, spec), 'test', testEngine);

describe('admission settings', () => {
  it('match.excludeNamespaces removes namespaces that match.namespaces covers', () => {
    const p = cluster({ match: { namespaces: ['ml-*'], excludeNamespaces: ['ml-legacy', 'ml-old-*'] } });
    expect(policyApplies(p, 'ml-serving')).toBe(true);
    expect(policyApplies(p, 'ml-legacy')).toBe(false);
    expect(policyApplies(p, 'ml-old-2')).toBe(false);
    expect(policyApplies(p, 'default')).toBe(false);
  });

  it.each([
    { match: { excludeNamespaces: 'kube-system' } },
    { match: { excludeNamespaces: [''] } },
    { match: { excludeNamespace: ['x'] } },
    { unpinned: 'allow' },
  ])('rejects %j with POLICY_ADMISSION_INVALID', (spec) => {
    expect(code(() => cluster(spec))).toBe('POLICY_ADMISSION_INVALID');
  });

  it('unpinned is kept only when set: unset, it follows the mode', () => {
    expect(cluster({}).settings.unpinned).toBeUndefined();
    expect(cluster({ unpinned: 'deny' }).settings.unpinned).toBe('deny');
  });
});
