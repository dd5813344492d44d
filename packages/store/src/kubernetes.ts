/**
 * The Kubernetes-objects store: ModelAttestation custom resources (modelseal.dev/v1alpha1) kept
 * in memory, indexed by subject digest. Fed by a list/watch informer at the edge (webhook/src/kube.ts);
 * this file does no I/O, so it is tested with plain objects.
 */
import { fromBase64, isRecord, sha256Hex, utf8 } from '@modelseal/core';
import { digestHex, predicateSlug } from './layout.ts';

export interface StoredBundle {
  readonly bundle: Uint8Array;
  readonly source: string;
  readonly predicateType?: string;
}

export const MODEL_ATTESTATION_MAX_BUNDLE = 1024 * 1024;
const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;

export interface KubernetesStore {
  find(subjectDigest: string, predicateType?: string): Promise<readonly StoredBundle[]>;
  /** add or replace one object (informer add/update) */
  upsert(object: unknown): void;
  /** drop one object (informer delete) */
  remove(object: unknown): void;
  /** objects that could not be used, with why: surfaced in logs, never served */
  readonly rejected: ReadonlyMap<string, string>;
  readonly size: number;
}

interface Entry {
  readonly key: string;
  readonly subject: string;
  readonly stored: StoredBundle;
}

export function kubernetesStore(): KubernetesStore {
  const byKey = new Map<string, Entry>();
  const bySubject = new Map<string, Map<string, Entry>>();
  const rejected = new Map<string, string>();

  const drop = (key: string) => {
    const old = byKey.get(key);
    if (!old) return;
    byKey.delete(key);
    const set = bySubject.get(old.subject);
    set?.delete(key);
    if (set?.size === 0) bySubject.delete(old.subject);
  };

  return {
    rejected,
    get size() {
      return byKey.size;
    },
    async find(subjectDigest, predicateType) {
      const set = bySubject.get(subjectDigest);
      if (!set) return [];
      const out: StoredBundle[] = [];
      for (const e of set.values()) {
        if (predicateType === undefined || e.stored.predicateType === predicateType) out.push(e.stored);
      }
      return out;
    },
    upsert(object) {
      const key = objectKey(object);
      if (key === undefined) return;
      drop(key);
      const parsed = parseModelAttestation(object, key);
      if (typeof parsed === 'string') {
        rejected.set(key, parsed);
        return;
      }
      rejected.delete(key);
      byKey.set(key, parsed);
      const set = bySubject.get(parsed.subject) ?? new Map<string, Entry>();
      bySubject.set(parsed.subject, set);
      set.set(key, parsed);
    },
    remove(object) {
      const key = objectKey(object);
      if (key === undefined) return;
      drop(key);
      rejected.delete(key);
    },
  };
}

function objectKey(o: unknown): string | undefined {
  if (!isRecord(o) || !isRecord(o.metadata) || typeof o.metadata.name !== 'string') return undefined;
  const ns = typeof o.metadata.namespace === 'string' ? o.metadata.namespace : '';
  return `${ns}/${o.metadata.name}`;
}

/** Validates one object; a string result says what is wrong with it. */
export function parseModelAttestation(o: unknown, key: string): Entry | string {
  if (!isRecord(o) || o.kind !== 'ModelAttestation' || o.apiVersion !== 'modelseal.dev/v1alpha1') {
    return 'not a modelseal.dev/v1alpha1 ModelAttestation';
  }
  const spec = o.spec;
  if (!isRecord(spec)) return 'spec is missing';
  const subject = spec.subjectDigest;
  if (typeof subject !== 'string' || !DIGEST_RE.test(subject))
    return 'spec.subjectDigest must be sha256:<64 lowercase hex>';
  const predicateType = spec.predicateType;
  if (typeof predicateType !== 'string' || predicateType === '' || predicateType.length > 512) {
    return 'spec.predicateType must be a URI';
  }
  const raw = spec.bundle;
  if (typeof raw !== 'string' || raw === '') return 'spec.bundle must be the bundle JSON or its base64';
  if (raw.length > MODEL_ATTESTATION_MAX_BUNDLE * 2)
    return `spec.bundle is over ${MODEL_ATTESTATION_MAX_BUNDLE} bytes`;
  let bundle: Uint8Array;
  if (raw.trimStart().startsWith('{')) {
    // kept byte for byte: the verifier must see exactly what was stored
    bundle = utf8(raw);
  } else {
    try {
      bundle = fromBase64(raw.trim());
    } catch {
      return 'spec.bundle is neither JSON nor valid base64';
    }
  }
  if (bundle.byteLength > MODEL_ATTESTATION_MAX_BUNDLE)
    return `spec.bundle is over ${MODEL_ATTESTATION_MAX_BUNDLE} bytes`;
  return { key, subject, stored: { bundle, predicateType, source: `kubernetes:ModelAttestation/${key}` } };
}

/**
 * The ModelAttestation custom resource for one bundle: what `parseModelAttestation` reads back.
 * The bundle goes in as its JSON text when it is JSON (kept byte for byte), else as base64.
 * The default name is readable and unique per (subject, predicate type, bundle).
 */
export function modelAttestationResource(o: {
  readonly subjectDigest: string;
  readonly predicateType: string;
  readonly bundle: Uint8Array;
  readonly subjectName?: string;
  readonly name?: string;
  readonly namespace?: string;
}): Record<string, unknown> {
  const hex = digestHex(o.subjectDigest);
  const text = new TextDecoder('utf-8', { fatal: false }).decode(o.bundle);
  const isJson = text.trimStart().startsWith('{') && utf8(text).length === o.bundle.byteLength;
  const name =
    o.name ??
    [
      dnsPart(o.subjectName ?? 'model', 80),
      dnsPart(predicateSlug(o.predicateType).split('~')[0]!, 60),
      hex.slice(0, 12),
      sha256Hex(o.bundle).slice(0, 8),
    ]
      .filter(Boolean)
      .join('-');
  return {
    apiVersion: 'modelseal.dev/v1alpha1',
    kind: 'ModelAttestation',
    metadata: {
      name,
      ...(o.namespace ? { namespace: o.namespace } : {}),
      ...(o.subjectName
        ? { annotations: { 'modelseal.dev/subject-name': o.subjectName.slice(0, 253) } }
        : {}),
    },
    spec: {
      subjectDigest: `sha256:${hex}`,
      predicateType: o.predicateType,
      bundle: isJson ? text : Buffer.from(o.bundle).toString('base64'),
    },
  };
}

/** Lowercase alphanumerics and '-', as a DNS-1123 name part allows. */
function dnsPart(s: string, max: number): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, max)
    .replace(/-+$/, '');
}

/** A DNS-1123 subdomain (metadata.name of a custom resource). */
export const K8S_NAME_RE = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
/** A DNS-1123 label (a namespace). */
export const K8S_NAMESPACE_RE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
