/**
 * `modelseal policy test`: the webhook's own decide() run on local manifests, so a policy can be
 * tried before it is deployed and a verdict here is the verdict the cluster will give.
 */
import { InputError, isRecord } from '@modelseal/core';
import type { AdmissionRequest } from './admission.ts';
import type { Checker } from './checker.ts';
import { decide } from './decide.ts';
import { ADMITTED_KINDS } from './extractor.ts';
import type { AdmissionPolicy } from './settings.ts';

export interface ObjectVerdict {
  /** e.g. `Deployment ml-serving/llm` */
  readonly object: string;
  /** document number in the manifest file, from 1 */
  readonly document: number;
  readonly verdict: 'allowed' | 'denied' | 'skipped';
  readonly message?: string;
  readonly warnings?: readonly string[];
  readonly auditAnnotations?: Readonly<Record<string, string>>;
}

const MAX_OBJECTS = 10_000;

/** Every Pod / workload in `docs` (List objects expanded) as an AdmissionRequest for CREATE. */
export function requestsFromManifests(docs: readonly unknown[], defaultNamespace: string) {
  const out: { document: number; request?: AdmissionRequest; label: string }[] = [];
  docs.forEach((doc, i) => {
    const items = isRecord(doc) && Array.isArray(doc.items) && doc.kind === 'List' ? doc.items : [doc];
    for (const item of items) {
      if (out.length >= MAX_OBJECTS) {
        throw new InputError({
          code: 'MANIFEST_TOO_MANY_OBJECTS',
          message: `over ${MAX_OBJECTS} objects in the manifests`,
        });
      }
      if (!isRecord(item) || typeof item.kind !== 'string') {
        out.push({ document: i + 1, label: `document ${i + 1} (not a Kubernetes object)` });
        continue;
      }
      const meta = isRecord(item.metadata) ? item.metadata : {};
      const name =
        typeof meta.name === 'string'
          ? meta.name
          : typeof meta.generateName === 'string'
            ? `${meta.generateName}*`
            : '(unnamed)';
      const namespace =
        typeof meta.namespace === 'string' && meta.namespace ? meta.namespace : defaultNamespace;
      const label = `${item.kind} ${namespace}/${name}`;
      if (!ADMITTED_KINDS.includes(item.kind)) {
        out.push({ document: i + 1, label });
        continue;
      }
      out.push({
        document: i + 1,
        label,
        request: {
          uid: `offline-${out.length + 1}`,
          kind: { kind: item.kind },
          namespace,
          name,
          operation: 'CREATE',
          object: item,
        },
      });
    }
  });
  return out;
}

export async function testManifests(input: {
  docs: readonly unknown[];
  policies: readonly AdmissionPolicy[];
  checker: Checker;
  namespace: string;
  deadlineMs: number;
}): Promise<ObjectVerdict[]> {
  const verdicts: ObjectVerdict[] = [];
  for (const r of requestsFromManifests(input.docs, input.namespace)) {
    if (!r.request) {
      verdicts.push({
        object: r.label,
        document: r.document,
        verdict: 'skipped',
        message: 'not a Pod or workload',
      });
      continue;
    }
    const res = await decide(r.request, {
      policies: () => input.policies,
      checker: input.checker,
      deadlineMs: input.deadlineMs,
    });
    verdicts.push({
      object: r.label,
      document: r.document,
      verdict: res.allowed ? 'allowed' : 'denied',
      ...(res.status?.message ? { message: res.status.message } : {}),
      ...(res.warnings ? { warnings: res.warnings } : {}),
      ...(res.auditAnnotations ? { auditAnnotations: res.auditAnnotations } : {}),
    });
  }
  return verdicts;
}
