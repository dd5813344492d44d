/**
 * /validate's side of start-up checks: the pod must carry exactly the verifier containers the
 * decision gives, after its other init containers, and nothing that imitates them. A pod author
 * who edits the arguments (another digest, more ignore paths, a skipped check), adds a container
 * with the verifier's name, image or command, or annotates the pod to skip it, is denied.
 */
import { isRecord } from '@modelseal/core';
import type { RuntimeProblem } from './runtime.ts';
import { podSpec } from './runtime.ts';
import { type Container, VERIFIER_NAME_PREFIX, type VerifierConfig } from './verifier.ts';

/** Fields the API server or LimitRanger may default or fill in; none of them changes what is checked. */
const TOLERATED = new Set([
  'resources',
  'imagePullPolicy',
  'terminationMessagePath',
  'terminationMessagePolicy',
  'resizePolicy',
]);

export const SA_TOKEN_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';

/** The fields of `actual` that differ from `expected` ([] when it is the same check). */
export function verifierDifferences(expected: Container, actual: unknown): string[] {
  if (!isRecord(actual)) return ['(not an object)'];
  const out: string[] = [];
  const keys = new Set([...Object.keys(expected), ...Object.keys(actual)]);
  for (const k of keys) {
    if (TOLERATED.has(k)) continue;
    const want = expected[k];
    const got = actual[k];
    if (k === 'volumeMounts' ? !sameMounts(want, got) : !deepEqual(normalize(k, got), want)) out.push(k);
  }
  return out.sort();
}

function normalize(key: string, v: unknown): unknown {
  // the API server may default procMount; "Default" is what an absent field means
  if (key === 'securityContext' && isRecord(v) && v.procMount === 'Default') {
    const { procMount: _, ...rest } = v;
    return rest;
  }
  return v;
}

function sameMounts(want: unknown, got: unknown): boolean {
  if (!Array.isArray(want) || !Array.isArray(got) || want.length !== got.length) return false;
  return want.every((w, i) => {
    const g = got[i];
    if (!isRecord(g) || !isRecord(w)) return false;
    // defaults that only make a read-only mount stricter or say what absence means
    const { mountPropagation, recursiveReadOnly, ...rest } = g;
    if (mountPropagation !== undefined && mountPropagation !== 'None') return false;
    if (
      recursiveReadOnly !== undefined &&
      !['Disabled', 'IfPossible', 'Enabled'].includes(String(recursiveReadOnly))
    )
      return false;
    return deepEqual(rest, w);
  });
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, b[i]));
  }
  if (!isRecord(a) || !isRecord(b)) return false;
  const ka = Object.keys(a).filter((k) => a[k] !== undefined);
  const kb = Object.keys(b).filter((k) => b[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => deepEqual(a[k], b[k]));
}

/** Named like a verifier, running the verifier image, or running its command. */
export function looksLikeVerifier(c: unknown, config: VerifierConfig): boolean {
  if (!isRecord(c)) return false;
  if (typeof c.name === 'string' && c.name.startsWith(VERIFIER_NAME_PREFIX)) return true;
  if (typeof c.image === 'string' && repository(c.image) === repository(config.image)) return true;
  const words = [...strings(c.command), ...strings(c.args)];
  return words.some((w) => w.includes('verify-digest'));
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** `repo/name` without tag or digest, so another tag of the verifier image still counts as it. */
function repository(image: string): string {
  const at = image.indexOf('@');
  const base = at >= 0 ? image.slice(0, at) : image;
  const slash = base.lastIndexOf('/');
  const colon = base.lastIndexOf(':');
  return colon > slash ? base.slice(0, colon) : base;
}

const SKIP_WORDS = /skip|disable|bypass|ignore|verif|runtime|exempt/i;

/** Annotations under modelseal.dev/ that read as a request to skip or configure the check. */
export function skipAnnotations(annotations: unknown, known: readonly string[]): string[] {
  if (!isRecord(annotations)) return [];
  return Object.keys(annotations).filter((k) => {
    if (!k.startsWith('modelseal.dev/') || known.some((p) => k === p || k.startsWith(p))) return false;
    return SKIP_WORDS.test(k.slice('modelseal.dev/'.length));
  });
}

export interface InspectInput {
  readonly object: unknown;
  readonly kind: string;
  readonly expected: readonly Container[];
  readonly config: VerifierConfig;
  /** a Pod being created must carry them; a template or an ephemeral-container update need not */
  readonly requirePresence: boolean;
  /** the container lists to look at (default all three) */
  readonly fields?: readonly ('containers' | 'initContainers' | 'ephemeralContainers')[];
}

export function inspectVerifiers(input: InspectInput): RuntimeProblem[] {
  const spec = podSpec(input.object, input.kind) ?? {};
  const problems: RuntimeProblem[] = [];
  const expectedByName = new Map(input.expected.map((c) => [String(c.name), c]));
  const init = Array.isArray(spec.initContainers) ? spec.initContainers : [];
  const fields = input.fields ?? (['containers', 'initContainers', 'ephemeralContainers'] as const);
  for (const field of fields) {
    const list = Array.isArray(spec[field]) ? spec[field] : [];
    list.forEach((c: unknown, i: number) => {
      if (!looksLikeVerifier(c, input.config)) return;
      const name = isRecord(c) && typeof c.name === 'string' ? c.name : '(unnamed)';
      const at = `spec.${field}[${i}] (${JSON.stringify(name.slice(0, 63))})`;
      const want = expectedByName.get(name);
      if (want === undefined || field !== 'initContainers') {
        problems.push({
          code: 'VERIFIER_LOOKALIKE',
          message: `${at} imitates the modelseal start-up check (name, image or command), but the admission decision gives no such check; remove it: the webhook injects the checks itself`,
        });
        return;
      }
      const diff = verifierDifferences(want, c);
      if (diff.length > 0) {
        problems.push({
          code: 'VERIFIER_TAMPERED',
          message: `${at} differs from the start-up check the admission decision gives (${diff.join(', ')}); a pod cannot change the digest, the serialization, the ignored paths or how the check runs`,
        });
      }
    });
  }
  if (!fields.includes('initContainers')) return problems;
  const position = new Map<string, number>();
  init.forEach((c: unknown, i: number) => {
    if (isRecord(c) && typeof c.name === 'string' && expectedByName.has(c.name)) position.set(c.name, i);
  });
  for (const name of expectedByName.keys()) {
    if (!position.has(name) && input.requirePresence) {
      problems.push({
        code: 'VERIFIER_MISSING',
        message: `init container ${name} (the start-up check of an admitted volume) is missing; the mutating webhook /mutate must run before this one (MutatingWebhookConfiguration of the chart)`,
      });
    }
  }
  const first = Math.min(...position.values());
  init.forEach((c: unknown, i: number) => {
    if (i <= first || !isRecord(c) || expectedByName.has(String(c.name)) || c.restartPolicy === 'Always')
      return;
    problems.push({
      code: 'VERIFIER_NOT_LAST',
      message: `init container ${JSON.stringify(String(c.name).slice(0, 63))} runs after a start-up check and could change the volume after it was checked; the checks must be the last init containers`,
    });
  });
  return problems;
}
