import { InputError, isRecord } from '@modelseal/core';
import { parseAllDocuments } from 'yaml';
import type { ModelPolicy, PolicyEngine } from './contract.ts';
import { type AdmissionPolicy, DEFAULT_ADMISSION_SETTINGS } from './settings.ts';

export const POLICY_API_VERSION = 'modelseal.dev/v1alpha1';
/** one policy file; a manifest file may be 16 times that */
export const MAX_POLICY_FILE = 1024 * 1024;

/** One policy object (from a file or a custom resource) -> the policy as the webhook applies it. */
export function toAdmissionPolicy(
  doc: unknown,
  source: string,
  engine: Pick<PolicyEngine, 'parsePolicy'>,
): AdmissionPolicy {
  if (
    !isRecord(doc) ||
    doc.apiVersion !== POLICY_API_VERSION ||
    (doc.kind !== 'ClusterModelPolicy' && doc.kind !== 'ModelPolicy')
  ) {
    throw new InputError({
      code: 'POLICY_KIND_INVALID',
      message: `${source}: expected apiVersion ${POLICY_API_VERSION} and kind ClusterModelPolicy or ModelPolicy`,
    });
  }
  const meta = isRecord(doc.metadata) ? doc.metadata : {};
  if (doc.kind === 'ModelPolicy' && (typeof meta.namespace !== 'string' || meta.namespace === '')) {
    throw new InputError({
      code: 'POLICY_NAMESPACE_MISSING',
      message: `${source}: a ModelPolicy is namespaced; set metadata.namespace (or use ClusterModelPolicy)`,
    });
  }
  const policy = engine.parsePolicy(doc, source);
  return Object.freeze({
    policy,
    settings: policy.admission,
    source,
    ...(policy.kind === 'ModelPolicy' ? { namespace: policy.namespace } : {}),
  });
}

/** Every document of a YAML/JSON text (multi-document YAML allowed), limits enforced. */
export function parseYamlDocuments(text: string, source: string): unknown[] {
  if (Buffer.byteLength(text) > MAX_POLICY_FILE * 16) {
    throw new InputError({
      code: 'YAML_TOO_LARGE',
      message: `${source} is over ${MAX_POLICY_FILE * 16} bytes`,
    });
  }
  const docs = parseAllDocuments(text, { prettyErrors: true });
  const list = Array.isArray(docs) ? docs : [docs];
  const out: unknown[] = [];
  list.forEach((d, i) => {
    if (d.errors.length > 0) {
      throw new InputError({
        code: 'YAML_MALFORMED',
        message: `${source}: document ${i + 1} is not valid YAML: ${d.errors[0]?.message.split('\n')[0]}`,
      });
    }
    let v: unknown;
    try {
      // aliases are capped: a few lines of anchors can otherwise expand to gigabytes
      v = d.toJS({ maxAliasCount: 100 });
    } catch (e) {
      throw new InputError({
        code: 'YAML_UNSAFE',
        message: `${source}: document ${i + 1} cannot be expanded safely: ${(e as Error).message}`,
      });
    }
    if (v !== null && v !== undefined) out.push(v);
  });
  return out;
}

/**
 * A policy custom resource as the cluster applies it. One that does not parse still applies: it
 * denies (fail closed) every volume it can cover, so a typo never shrinks what is checked. The
 * webhook's informer and `inventory` on a live cluster both read policy objects through this.
 */
export function policyOrBroken(
  o: { readonly kind?: string; readonly metadata?: { readonly name?: string; readonly namespace?: string } },
  engine: Pick<PolicyEngine, 'parsePolicy'>,
): {
  readonly policy: AdmissionPolicy;
  readonly error?: { readonly code?: string; readonly message: string };
} {
  const name = o.metadata?.name ?? '?';
  const namespace = o.metadata?.namespace;
  const source = `kubernetes:${o.kind}/${namespace ? `${namespace}/` : ''}${name}`;
  try {
    return { policy: toAdmissionPolicy(o, source, engine) };
  } catch (e) {
    const message = `${source} is invalid: ${(e as Error).message}`;
    const settings = {
      ...DEFAULT_ADMISSION_SETTINGS,
      volumes: { ...DEFAULT_ADMISSION_SETTINGS.volumes, names: ['*'] },
    };
    const policy: ModelPolicy = {
      kind: o.kind === 'ModelPolicy' ? 'ModelPolicy' : 'ClusterModelPolicy',
      name,
      version: 'broken',
      source,
      authorities: [],
      requirements: [],
      admission: settings,
    };
    const code = (e as { code?: unknown }).code;
    return {
      policy: {
        policy,
        settings,
        source,
        broken: message,
        ...(o.kind === 'ModelPolicy' && namespace ? { namespace } : {}),
      },
      error: { message, ...(typeof code === 'string' ? { code } : {}) },
    };
  }
}
