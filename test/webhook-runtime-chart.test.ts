/** The chart's start-up checks: a MutatingWebhookConfiguration beside the validating one, on by default. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { PLAIN_RELEASE, renderChart } from '../webhook/src/chart.ts';

// biome-ignore lint/suspicious/noExplicitAny: rendered manifests are walked freely in assertions
type Doc = Record<string, any>;
const docs = (text: string): Doc[] => parseAllDocuments(text).map((d) => d.toJS() as Doc);
const args = (all: Doc[]): string[] =>
  all.find((d) => d.kind === 'Deployment')!.spec.template.spec.containers[0].args;

describe('chart: runtime verification', () => {
  it('by default: /mutate for pod CREATE, reinvoked if needed, fails closed, same namespaces; --verifier-image set', () => {
    const all = docs(renderChart(PLAIN_RELEASE));
    const mwc = all.filter((d) => d.kind === 'MutatingWebhookConfiguration');
    expect(mwc).toHaveLength(1);
    const w = mwc[0]!.webhooks[0];
    expect(w).toMatchObject({
      reinvocationPolicy: 'IfNeeded',
      failurePolicy: 'Fail',
      sideEffects: 'None',
      admissionReviewVersions: ['v1'],
      clientConfig: { service: { path: '/mutate', port: 443, namespace: 'modelseal-system' } },
    });
    expect(w.rules).toEqual([
      {
        apiGroups: [''],
        apiVersions: ['v1'],
        operations: ['CREATE'],
        resources: ['pods'],
        scope: 'Namespaced',
      },
    ]);
    const vwc = all.find((d) => d.kind === 'ValidatingWebhookConfiguration')!.webhooks[0];
    expect(w.namespaceSelector).toEqual(vwc.namespaceSelector);
    expect(args(all)).toContain('--verifier-image=ghcr.io/modelseal/webhook:0.1.0');
  });

  it('runtimeVerification.enabled=false renders neither the mutating webhook nor --verifier-image', () => {
    const all = docs(renderChart(PLAIN_RELEASE, { runtimeVerification: { enabled: false, image: 'x' } }));
    expect(all.some((d) => d.kind === 'MutatingWebhookConfiguration')).toBe(false);
    expect(args(all).some((a) => a.startsWith('--verifier-image'))).toBe(false);
    expect(all.some((d) => d.kind === 'ValidatingWebhookConfiguration')).toBe(true);
  });

  it('pinTags: off by default; enabled passes --pin-tags=<mode> to the webhook that /mutate serves', () => {
    expect(args(docs(renderChart(PLAIN_RELEASE))).some((a) => a.startsWith('--pin-tags'))).toBe(false);
    const all = docs(renderChart(PLAIN_RELEASE, { pinTags: { enabled: true, mode: 'annotate' } }));
    expect(args(all)).toContain('--pin-tags=annotate');
    expect(all.some((d) => d.kind === 'MutatingWebhookConfiguration')).toBe(true);
  });

  it('the image holds the CLI the verifier runs', () => {
    const df = readFileSync(fileURLToPath(new URL('../deploy/Dockerfile', import.meta.url)), 'utf8');
    expect(df).toMatch(/^COPY cli\/ cli\/$/m);
    expect(df).toContain('--filter "modelseal..."');
  });
});
