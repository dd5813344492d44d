import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError, isRecord } from '@modelseal/core';
import { parseAllDocuments } from 'yaml';
import type { PolicyEngine } from './contract.ts';
import { type AdmissionPolicy, admissionSettings } from './settings.ts';

export const POLICY_API_VERSION = 'modelseal.dev/v1alpha1';
const MAX_POLICY_FILE = 1024 * 1024;

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
  const namespace = typeof meta.namespace === 'string' && meta.namespace !== '' ? meta.namespace : undefined;
  if (doc.kind === 'ModelPolicy' && namespace === undefined) {
    throw new InputError({
      code: 'POLICY_NAMESPACE_MISSING',
      message: `${source}: a ModelPolicy is namespaced; set metadata.namespace (or use ClusterModelPolicy)`,
    });
  }
  const policy = engine.parsePolicy(doc, source);
  return Object.freeze({
    policy,
    settings: admissionSettings(policy, source),
    source,
    ...(doc.kind === 'ModelPolicy' ? { namespace } : {}),
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
    const v = d.toJS({ maxAliasCount: 100 });
    if (v !== null && v !== undefined) out.push(v);
  });
  return out;
}

/** --policy-file: a file, or a directory of *.yaml / *.yml / *.json files. */
export function loadPolicyFiles(path: string, engine: Pick<PolicyEngine, 'parsePolicy'>): AdmissionPolicy[] {
  let files: string[];
  try {
    files = statSync(path).isDirectory()
      ? readdirSync(path)
          .filter((f) => /\.(ya?ml|json)$/.test(f) && !f.startsWith('.'))
          .sort()
          .map((f) => join(path, f))
      : [path];
  } catch (e) {
    throw new InputError({
      code: 'POLICY_FILE_UNREADABLE',
      message: `cannot read --policy-file ${path}: ${(e as Error).message}`,
    });
  }
  const out: AdmissionPolicy[] = [];
  for (const f of files) {
    const size = statSync(f).size;
    if (size > MAX_POLICY_FILE) {
      throw new InputError({
        code: 'POLICY_FILE_TOO_LARGE',
        message: `${f} is ${size} bytes, over ${MAX_POLICY_FILE}`,
      });
    }
    parseYamlDocuments(readFileSync(f, 'utf8'), f).forEach((doc, i) => {
      out.push(toAdmissionPolicy(doc, `${f}#${i + 1}`, engine));
    });
  }
  if (out.length === 0) {
    throw new InputError({
      code: 'POLICY_FILE_EMPTY',
      message: `--policy-file ${path} holds no ClusterModelPolicy or ModelPolicy`,
    });
  }
  return out;
}
