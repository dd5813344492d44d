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
  if (doc.kind === 'ModelPolicy' && (typeof meta.namespace !== 'string' || meta.namespace === '')) {
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

/**
 * --policy-file as a live source: re-read when the file (or directory listing) changes, e.g. a
 * ConfigMap update. A bad new version is logged and the last good one kept, so an edit in progress
 * never leaves the cluster without a policy.
 */
export function watchPolicyFiles(
  path: string,
  engine: Pick<PolicyEngine, 'parsePolicy'>,
  log: (level: 'info' | 'error', msg: string, fields?: Record<string, unknown>) => void,
  pollMs = 5_000,
): { current(): readonly AdmissionPolicy[]; ready(): boolean; close(): void } {
  let snapshot: readonly AdmissionPolicy[] = Object.freeze(loadPolicyFiles(path, engine));
  let last = fingerprint(path);
  const timer = setInterval(() => {
    const now = fingerprint(path);
    if (now === last) return;
    last = now;
    try {
      snapshot = Object.freeze(loadPolicyFiles(path, engine));
      log('info', 'policies reloaded', { path, policies: snapshot.map((p) => p.policy.name) });
    } catch (e) {
      log('error', 'policy reload failed; keeping the previous policies', {
        path,
        code: (e as { code?: string }).code,
        message: (e as Error).message,
      });
    }
  }, pollMs);
  timer.unref();
  return { current: () => snapshot, ready: () => true, close: () => clearInterval(timer) };
}

function fingerprint(path: string): string {
  try {
    const st = statSync(path);
    if (!st.isDirectory()) return `${st.mtimeMs}:${st.size}`;
    return readdirSync(path)
      .sort()
      .map((f) => {
        const s = statSync(join(path, f));
        return `${f}:${s.mtimeMs}:${s.size}`;
      })
      .join('|');
  } catch {
    return 'unreadable';
  }
}
