/**
 * Deployment artifacts: every manifest parses, the plain manifests are exactly `helm template` of
 * the chart, and the fields admission safety depends on are there. kubectl runs only when it can;
 * the chart's own conventions and value sets are in helm-chart.test.ts.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { helmBinary, helmMissing, helmTemplate, plainManifests } from '../webhook/test/helm.ts';

const root = (p: string) => fileURLToPath(new URL(`../${p}`, import.meta.url));
const read = (p: string) => readFileSync(root(p), 'utf8');

// biome-ignore lint/suspicious/noExplicitAny: parsed YAML is walked field by field; the assertions are the types
type Yaml = any;
type Doc = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  spec?: Yaml;
  [k: string]: Yaml;
};
function docs(text: string, what: string): Doc[] {
  return parseAllDocuments(text).map((d, i) => {
    expect(d.errors, `${what} document ${i + 1}`).toEqual([]);
    return d.toJS() as Doc;
  });
}

const plain = () => [
  ...docs(read('deploy/manifests/00-crds.yaml'), '00-crds.yaml'),
  ...docs(read('deploy/manifests/10-webhook.yaml'), '10-webhook.yaml'),
];
const one = (all: Doc[], kind: string) => {
  const found = all.filter((d) => d.kind === kind);
  expect(found, kind).toHaveLength(1);
  return found[0]!;
};

const named = (all: Doc[], kind: string, name: string) => {
  const found = all.filter((d) => d.kind === kind && d.metadata.name === name);
  expect(found, `${kind} ${name}`).toHaveLength(1);
  return found[0]!;
};

describe('deploy/', () => {
  it('plain manifests parse, and are the chart through helm template (regenerate: node webhook/test/helm.ts)', (ctx) => {
    for (const f of readdirSync(root('deploy/manifests')))
      if (f.endsWith('.yaml')) docs(read(`deploy/manifests/${f}`), f);
    expect(read('deploy/manifests/00-crds.yaml')).toBe(
      read('deploy/helm/modelseal-webhook/crds/modelseal-crds.yaml'),
    );
    const kust = docs(read('deploy/manifests/kustomization.yaml'), 'kustomization.yaml')[0]!;
    expect(kust.resources).toEqual(['00-crds.yaml', '10-webhook.yaml']);
    if (!helmBinary()) {
      console.warn(`skipped the helm comparison: ${helmMissing()}`);
      ctx.skip();
    }
    expect(read('deploy/manifests/10-webhook.yaml')).toBe(plainManifests());
  });

  it('the chart renders for another release and namespace', (ctx) => {
    if (!helmBinary()) {
      console.warn(`skipped: ${helmMissing()}`);
      ctx.skip();
    }
    const all = docs(helmTemplate({ name: 'ms', namespace: 'sec' }, ['replicas=3']), 'chart');
    const dep = one(all, 'Deployment');
    expect(dep.metadata).toMatchObject({ name: 'ms', namespace: 'sec' });
    expect(dep.spec.replicas).toBe(3);
    const vwc = one(all, 'ValidatingWebhookConfiguration');
    expect(vwc.webhooks[0].clientConfig.service).toMatchObject({ name: 'ms', namespace: 'sec' });
    expect(vwc.webhooks[0].namespaceSelector.matchExpressions[1].values).toEqual(['sec']);
  });

  it('ValidatingWebhookConfiguration fails closed, within 10 s, v1 only, never on its own namespace', () => {
    const vwc = one(plain(), 'ValidatingWebhookConfiguration');
    const w = vwc.webhooks[0];
    expect(w).toMatchObject({
      failurePolicy: 'Fail',
      timeoutSeconds: 10,
      sideEffects: 'None',
      admissionReviewVersions: ['v1'],
    });
    expect(w.clientConfig.service.path).toBe('/validate');
    const excluded = w.namespaceSelector.matchExpressions
      .filter((e: Yaml) => e.key === 'kubernetes.io/metadata.name' && e.operator === 'NotIn')
      .flatMap((e: Yaml) => e.values);
    expect(excluded).toEqual(expect.arrayContaining(['kube-system', 'modelseal-system']));
    const rules = w.rules.flatMap((r: Yaml) =>
      r.resources.map((res: string) => `${r.apiGroups[0]}/${res}:${r.operations.join(',')}`),
    );
    expect(rules).toEqual(
      expect.arrayContaining([
        '/pods:CREATE',
        '/pods/ephemeralcontainers:UPDATE',
        'apps/deployments:CREATE,UPDATE',
        'apps/statefulsets:CREATE,UPDATE',
        'apps/daemonsets:CREATE,UPDATE',
        'apps/replicasets:CREATE,UPDATE',
        'batch/jobs:CREATE,UPDATE',
        'batch/cronjobs:CREATE,UPDATE',
      ]),
    );
    expect(w.matchConditions[0].expression).toContain('has(object.spec.volumes)');
  });

  it('Deployment: >= 2 replicas, PDB, Service, probes, TLS, hardened pod', () => {
    const all = plain();
    const dep = one(all, 'Deployment');
    expect(dep.spec.replicas).toBeGreaterThanOrEqual(2);
    const labels = dep.spec.template.metadata.labels;
    const pdb = one(all, 'PodDisruptionBudget');
    expect(pdb.spec.minAvailable).toBe(1);
    expect(labels).toMatchObject(pdb.spec.selector.matchLabels);
    expect(labels).toMatchObject(one(all, 'Service').spec.selector);
    const c = dep.spec.template.spec.containers[0];
    expect(c.args).toEqual(
      expect.arrayContaining(['--kubernetes', '--tls-cert=/tls/tls.crt', '--tls-key=/tls/tls.key']),
    );
    expect(c.readinessProbe.httpGet).toMatchObject({ path: '/readyz', scheme: 'HTTPS' });
    expect(c.livenessProbe.httpGet).toMatchObject({ path: '/livez', scheme: 'HTTPS' });
    expect(c.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
    });
    expect(dep.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
    expect(one(all, 'Namespace').metadata.name).toBe('modelseal-system');
  });

  it('RBAC grants only get/list/watch on modelseal.dev resources', () => {
    const role = named(plain(), 'ClusterRole', 'modelseal-webhook-reader');
    expect(role.rules).toEqual([
      {
        apiGroups: ['modelseal.dev'],
        resources: ['modelattestations', 'modelpolicies', 'clustermodelpolicies'],
        verbs: ['get', 'list', 'watch'],
      },
    ]);
    const binding = named(plain(), 'ClusterRoleBinding', 'modelseal-webhook-reader');
    expect(binding.subjects[0]).toMatchObject({
      kind: 'ServiceAccount',
      name: 'modelseal-webhook',
      namespace: 'modelseal-system',
    });
  });

  it('reports (on by default): pods list/watch and policyreports writes in their own role, --reports; off removes both', () => {
    const all = plain();
    expect(all.filter((d) => d.kind === 'ClusterRole').map((d) => d.metadata.name)).toEqual([
      'modelseal-webhook-reader',
      'modelseal-webhook-reporter',
    ]);
    expect(named(all, 'ClusterRole', 'modelseal-webhook-reporter').rules).toEqual([
      { apiGroups: [''], resources: ['pods'], verbs: ['list', 'watch'] },
      {
        apiGroups: ['wgpolicyk8s.io'],
        resources: ['policyreports'],
        verbs: ['get', 'list', 'create', 'update', 'delete'],
      },
    ]);
    expect(named(all, 'ClusterRoleBinding', 'modelseal-webhook-reporter').subjects[0]).toMatchObject({
      kind: 'ServiceAccount',
      name: 'modelseal-webhook',
      namespace: 'modelseal-system',
    });
    expect(one(all, 'Deployment').spec.template.spec.containers[0].args).toContain('--reports');
    if (!helmBinary()) return console.warn(`skipped reports.enabled=false: ${helmMissing()}`);
    const off = docs(helmTemplate({ name: 'ms', namespace: 'sec' }, ['reports.enabled=false']), 'chart');
    expect(off.filter((d) => d.kind === 'ClusterRole').map((d) => d.metadata.name)).toEqual(['ms-reader']);
    expect(one(off, 'Deployment').spec.template.spec.containers[0].args).not.toContain('--reports');
  });

  it('CRDs carry OpenAPI v3 schemas with the fields the webhook reads', () => {
    const crds = plain().filter((d) => d.kind === 'CustomResourceDefinition');
    expect(crds.map((c) => `${c.spec.names.kind}:${c.spec.scope}`).sort()).toEqual([
      'ClusterModelPolicy:Cluster',
      'ModelAttestation:Namespaced',
      'ModelPolicy:Namespaced',
    ]);
    for (const crd of crds) {
      expect(crd.spec.group).toBe('modelseal.dev');
      expect(crd.metadata.name).toBe(`${crd.spec.names.plural}.modelseal.dev`);
      const v = crd.spec.versions[0];
      expect(v).toMatchObject({ name: 'v1alpha1', served: true, storage: true });
      expect(v.schema.openAPIV3Schema.properties.spec.type).toBe('object');
    }
    const att = crds.find((c) => c.spec.names.kind === 'ModelAttestation')!.spec.versions[0].schema
      .openAPIV3Schema;
    expect(att.properties.spec.required).toEqual(['subjectDigest', 'predicateType', 'bundle']);
    expect(
      new RegExp(att.properties.spec.properties.subjectDigest.pattern).test(`sha256:${'ab'.repeat(32)}`),
    ).toBe(true);
    const pol = crds.find((c) => c.spec.names.kind === 'ModelPolicy')!.spec.versions[0].schema
      .openAPIV3Schema;
    expect(pol.properties.spec.properties.mode.enum).toEqual(['enforce', 'warn', 'audit']);
    expect(pol.properties.spec.properties.unpinned.enum).toEqual(['deny', 'warn']);
    // a CRD default would be stored on every policy, so unset could never follow the mode
    expect(pol.properties.spec.properties.unpinned.default).toBeUndefined();
  });

  it('Dockerfile runs the webhook as non-root', () => {
    const df = read('deploy/Dockerfile');
    expect(df).toMatch(/^USER 65532/m);
    expect(df).toMatch(/ENTRYPOINT \[.*"webhook\/src\/main\.ts"\]/);
  });

  it('kubectl accepts the manifests (client dry run), when kubectl and an API server are reachable', (ctx) => {
    const probe = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8', timeout: 10_000 });
    if (probe.error || probe.status !== 0) {
      console.warn('skipped: kubectl is not installed here');
      ctx.skip();
    }
    const cluster = spawnSync('kubectl', ['get', '--raw', '/version', '--request-timeout=3s'], {
      encoding: 'utf8',
      timeout: 10_000,
    });
    if (cluster.status !== 0) {
      // kubectl --dry-run=client still needs API discovery to map kinds
      console.warn('skipped: kubectl --dry-run=client needs a reachable API server, and there is none here');
      ctx.skip();
    }
    execFileSync('kubectl', ['apply', '--dry-run=client', '-f', root('deploy/manifests')], {
      timeout: 30_000,
    });
  });
});
