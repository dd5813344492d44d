import type { AdmissionSettings, ModelPolicy } from './contract.ts';
import { globMatch } from './glob.ts';

export { DEFAULT_ADMISSION_SETTINGS } from '@modelseal/policy';
// the policy parser validates spec.mode / spec.match / spec.unpinned and resolves their defaults
export type { AdmissionSettings, Mode, Unpinned } from './contract.ts';

/** A policy as the webhook applies it: where it applies and how. */
export interface AdmissionPolicy {
  readonly policy: ModelPolicy;
  readonly settings: AdmissionSettings;
  /** set for a namespaced `ModelPolicy`: it applies in that namespace only */
  readonly namespace?: string;
  readonly source: string;
  /** set when the policy object could not be parsed: it then denies every covered model (fail closed) */
  readonly broken?: string;
}

export const DIGEST_ANNOTATION_PREFIX = 'modelseal.dev/model-digest.';

export function policyApplies(p: AdmissionPolicy, namespace: string): boolean {
  if (p.namespace !== undefined) return p.namespace === namespace;
  if (p.settings.excludeNamespaces.some((g) => globMatch(g, namespace))) return false;
  return p.settings.namespaces.some((g) => globMatch(g, namespace));
}
