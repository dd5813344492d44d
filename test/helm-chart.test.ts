/**
 * The chart with a real helm (webhook/test/helm.ts): lint --strict, template with several value
 * sets, the schema refusing bad values, and the certificate modes (a default install never leaves
 * an empty caBundle under failurePolicy Fail). Skips, saying why, only where helm cannot run.
 */
import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import {
  CHART_DIR,
  helm,
  helmBinary,
  helmMissing,
  helmTemplate,
  type Release,
} from '../webhook/test/helm.ts';

// biome-ignore lint/suspicious/noExplicitAny: rendered manifests are walked freely in assertions
type Doc = Record<string, any>;
const REL: Release = { name: 'ms', namespace: 'sec' };
const DIGEST = `sha256:${'ab'.repeat(32)}`;
const render = (set: string[] = []): Doc[] =>
  parseAllDocuments(helmTemplate(REL, set))
    .map((d) => d.toJS() as Doc)
    .filter(Boolean);
const kinds = (all: Doc[]) => all.map((d) => d.kind);
const one = (all: Doc[], kind: string, name?: string) => {
  const found = all.filter((d) => d.kind === kind && (name === undefined || d.metadata.name === name));
  expect(found, `${kind} ${name ?? ''}`).toHaveLength(1);
  return found[0]!;
};
const webhooks = (all: Doc[]) =>
  all.filter((d) => d.kind === 'ValidatingWebhookConfiguration' || d.kind === 'MutatingWebhookConfiguration');
const container = (all: Doc[]) => one(all, 'Deployment').spec.template.spec.containers[0];
/** what helm says when it refuses, or '' when it renders */
const refusal = (set: string[]) => {
  const r = helm(['template', REL.name, CHART_DIR, '-n', REL.namespace, ...set.flatMap((s) => ['--set', s])]);
  return r.status === 0 ? '' : r.stderr;
};

const haveHelm = helmBinary() !== undefined;
if (!haveHelm) console.warn(`skipped the helm chart tests: ${helmMissing()}`);

describe.skipIf(!haveHelm)('helm chart (real helm)', () => {
  it('helm lint --strict passes with the default values and the other certificate modes', () => {
    for (const set of [
      [],
      ['certificates.mode=cert-manager'],
      ['certificates.mode=manual', 'webhook.caBundle=Q0E='],
      ['replicas=1'],
    ]) {
      const r = helm(['lint', '--strict', CHART_DIR, ...set.flatMap((s) => ['--set', s])]);
      expect(r.status, `${set.join(' ')}: ${r.stdout}${r.stderr}`).toBe(0);
      expect(r.stdout).toContain('0 chart(s) failed');
    }
  });

  it('every object carries the standard labels; selectors use only the stable ones', () => {
    for (const all of [render(), render(['certificates.mode=cert-manager'])]) {
      for (const d of all) {
        expect(d.metadata.labels, `${d.kind} ${d.metadata.name}`).toMatchObject({
          'helm.sh/chart': 'modelseal-webhook-0.1.0',
          'app.kubernetes.io/name': 'modelseal-webhook',
          'app.kubernetes.io/instance': 'ms',
          'app.kubernetes.io/version': '0.1.0',
          'app.kubernetes.io/managed-by': 'Helm',
        });
      }
      const dep = one(all, 'Deployment');
      expect(dep.spec.selector.matchLabels).toEqual({
        'app.kubernetes.io/name': 'modelseal-webhook',
        'app.kubernetes.io/instance': 'ms',
      });
      expect(dep.spec.template.metadata.labels).toMatchObject(dep.spec.selector.matchLabels);
    }
  });

  it('default install: a CA generated at install is both caBundles and signs the serving certificate', () => {
    const all = render();
    const secret = one(all, 'Secret', 'modelseal-webhook-tls');
    expect(secret.type).toBe('kubernetes.io/tls');
    const ca = new X509Certificate(Buffer.from(secret.data['ca.crt'], 'base64'));
    const crt = new X509Certificate(Buffer.from(secret.data['tls.crt'], 'base64'));
    expect(ca.ca).toBe(true);
    expect(crt.checkIssued(ca)).toBe(true);
    expect(crt.verify(ca.publicKey)).toBe(true);
    expect(crt.subjectAltName).toContain('DNS:ms.sec.svc');
    expect(Buffer.from(secret.data['tls.key'], 'base64').toString()).toMatch(/BEGIN RSA PRIVATE KEY/);
    const hooks = webhooks(all);
    expect(hooks).toHaveLength(2);
    for (const h of hooks) {
      expect(h.webhooks[0].failurePolicy).toBe('Fail');
      expect(h.webhooks[0].clientConfig.caBundle).toBe(secret.data['ca.crt']);
    }
    // a second render is a new CA (install time); on upgrade, lookup keeps the Secret's
    expect(one(render(), 'Secret').data['ca.crt']).not.toBe(secret.data['ca.crt']);
  });

  it('cert-manager: a CA chain of Issuers and Certificates, CA injection, no caBundle of its own', () => {
    const all = render(['certificates.mode=cert-manager']);
    expect(all.some((d) => d.kind === 'Secret')).toBe(false);
    const serving = one(all, 'Certificate', 'ms');
    expect(serving.spec).toMatchObject({
      secretName: 'modelseal-webhook-tls',
      issuerRef: { name: 'ms-ca', kind: 'Issuer' },
    });
    expect(serving.spec.dnsNames).toContain('ms.sec.svc');
    expect(one(all, 'Certificate', 'ms-ca').spec.isCA).toBe(true);
    expect(one(all, 'Issuer', 'ms-selfsigned').spec.selfSigned).toEqual({});
    expect(one(all, 'Issuer', 'ms-ca').spec.ca.secretName).toBe('ms-ca');
    for (const h of webhooks(all)) {
      expect(h.metadata.annotations['cert-manager.io/inject-ca-from']).toBe('sec/ms');
      expect(h.webhooks[0].clientConfig.caBundle).toBeUndefined();
    }
    const own = render([
      'certificates.mode=cert-manager',
      'certificates.certManager.issuerRef.name=corp-ca',
      'certificates.certManager.issuerRef.kind=ClusterIssuer',
    ]);
    expect(kinds(own).filter((k) => k === 'Issuer' || k === 'Certificate')).toEqual(['Certificate']);
    expect(one(own, 'Certificate').spec.issuerRef).toEqual({ name: 'corp-ca', kind: 'ClusterIssuer' });
  });

  it('manual: refuses an empty caBundle under failurePolicy Fail, uses the given one otherwise', () => {
    expect(refusal(['certificates.mode=manual'])).toContain(
      'certificates.mode=manual needs webhook.caBundle',
    );
    const all = render(['certificates.mode=manual', 'webhook.caBundle=Q0E=']);
    expect(all.some((d) => d.kind === 'Secret' || d.kind === 'Certificate')).toBe(false);
    for (const h of webhooks(all)) expect(h.webhooks[0].clientConfig.caBundle).toBe('Q0E=');
  });

  it('webhook.modelcars sends every pod and pod UPDATEs (a modelcar needs no volume)', () => {
    const podRule = (d: Doc) =>
      d.webhooks[0].rules.find((r: Doc) => r.apiGroups[0] === '' && r.resources[0] === 'pods');
    for (const d of webhooks(render())) {
      expect(d.webhooks[0].matchConditions, d.kind).toHaveLength(1);
    }
    expect(podRule(one(render(), 'ValidatingWebhookConfiguration')).operations).toEqual(['CREATE']);
    const on = render(['webhook.modelcars=true']);
    for (const d of webhooks(on)) expect(d.webhooks[0].matchConditions, d.kind).toBeUndefined();
    expect(podRule(one(on, 'ValidatingWebhookConfiguration')).operations).toEqual(['CREATE', 'UPDATE']);
    expect(refusal(['webhook.modelcars=yes'])).toMatch(/modelcars/);
  });

  it('PDB only when replicas > 1', () => {
    expect(kinds(render(['replicas=1']))).not.toContain('PodDisruptionBudget');
    expect(one(render(['replicas=3']), 'PodDisruptionBudget').spec.minAvailable).toBe(1);
  });

  it('image.digest wins over the tag, for the webhook and its verifier', () => {
    const all = render([`image.digest=${DIGEST}`]);
    expect(container(all).image).toBe(`ghcr.io/modelseal/webhook@${DIGEST}`);
    expect(container(all).args).toContain(`--verifier-image=ghcr.io/modelseal/webhook@${DIGEST}`);
    expect(container(render()).image).toBe('ghcr.io/modelseal/webhook:0.1.0');
  });

  it('nodeSelector, tolerations, imagePullSecrets, and the shutdown settings reach the pod', () => {
    const all = render([
      'nodeSelector.pool=system',
      'tolerations[0].key=dedicated',
      'tolerations[0].operator=Exists',
      'imagePullSecrets[0].name=regcred',
      'shutdown.preStopSleepSeconds=5',
      'shutdown.terminationGracePeriodSeconds=45',
    ]);
    const pod = one(all, 'Deployment').spec.template.spec;
    expect(pod.nodeSelector).toEqual({ pool: 'system' });
    expect(pod.tolerations).toEqual([{ key: 'dedicated', operator: 'Exists' }]);
    expect(pod.imagePullSecrets).toEqual([{ name: 'regcred' }]);
    expect(pod.terminationGracePeriodSeconds).toBe(45);
    expect(container(all).lifecycle.preStop).toEqual({ sleep: { seconds: 5 } });
    const plain = one(render(), 'Deployment').spec.template.spec;
    expect(plain.nodeSelector).toBeUndefined();
    expect(plain.containers[0].lifecycle).toBeUndefined();
    expect(plain.containers[0].args).toContain('--shutdown-delay-ms=5000');
    // the delay is one readiness period
    expect(plain.containers[0].readinessProbe.periodSeconds * 1000).toBe(5000);
  });

  it('the schema refuses bad values, naming them', () => {
    const cases: [string, RegExp][] = [
      ['replicas=two', /replicas.*want integer/],
      ['replicas=0', /replicas/],
      ['certificates.mode=bogus', /certificates\/mode/],
      ['image.digest=latest', /image\/digest/],
      ['webhook.failurePolicy=Sometimes', /failurePolicy/],
      ['replica=2', /additional properties 'replica' not allowed/],
      ['shutdown.delayMs=-1', /shutdown\/delayMs/],
    ];
    for (const [set, why] of cases) {
      const msg = refusal([set]);
      expect(msg, set).toContain("values don't meet the specifications of the schema");
      expect(msg, set).toMatch(why);
    }
  });

  it('needs Kubernetes >= 1.30 (matchConditions)', () => {
    const old = helm(['template', 'x', CHART_DIR, '--kube-version', '1.29.0']);
    expect(old.status).not.toBe(0);
    expect(old.stderr).toContain('requires kubeVersion: >=1.30.0-0');
    expect(helm(['template', 'x', CHART_DIR, '--kube-version', '1.30.0']).status).toBe(0);
  });

  it('NOTES.txt says how the certificates and admission are set up', () => {
    const r = helm(['install', 'ms', CHART_DIR, '-n', 'sec', '--dry-run=client']);
    expect(r.status, r.stderr).toBe(0);
    const notes = r.stdout.slice(r.stdout.indexOf('NOTES:'));
    expect(notes).toContain('Certificates: self-signed (CA generated at install');
    expect(notes).toContain('failurePolicy Fail');
    expect(notes).toContain('kubectl -n sec rollout status deployment/ms');
  });
});
