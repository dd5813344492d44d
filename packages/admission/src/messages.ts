/**
 * How the admission answer reads to the cluster user who created the pod: each model named once
 * (volume, field path, model reference, digest), then what each policy found. The server's own
 * details stay out: where a bundle was stored (a reason's `source`) and any absolute file path a
 * store or policy-file message carries are not the pod author's business, and may say too much.
 */
import type { Reason } from './contract.ts';
import type { ModelRef } from './extractor.ts';

/** Kubernetes truncates warnings over 256 characters (and asks for 120 where possible). */
export const WARNING_MAX = 256;

/** `volume m (spec.volumes[0]), model r.example/m, digest sha256:…`: the digest once, never inside the reference. */
export function modelLabel(m: ModelRef): string {
  if (m.kind === 'invalid' && m.code === 'MODEL_ANNOTATION_INVALID') return m.path;
  const base = `${m.container ? 'container' : 'volume'} ${m.volume} (${m.path}), model ${shownReference(m)}`;
  return m.kind === 'pinned' ? `${base}, digest ${m.digest}` : base;
}

/** The short form for a warning: the field path is left out, the reference clipped. */
export function modelLabelShort(m: ModelRef): string {
  if (m.kind === 'invalid' && m.code === 'MODEL_ANNOTATION_INVALID') return m.path;
  const base = `${m.container ? 'container' : 'volume'} ${m.volume}, model ${clip(shownReference(m), 60)}`;
  return m.kind === 'pinned' ? `${base}, digest ${m.digest}` : base;
}

function shownReference(m: ModelRef): string {
  if (m.kind !== 'pinned') return m.reference;
  const suffix = `@${m.digest}`;
  return m.reference.endsWith(suffix) ? m.reference.slice(0, -suffix.length) : m.reference;
}

/** One reason as the pod author reads it: code, message, and the requirement when the message does not name it. */
export function publicReason(r: Reason): string {
  return `${r.code}: ${publicText(r)}`;
}

/**
 * A warning is clipped, so it leads with what must survive: who, which model and digest, and
 * every code; the messages follow as far as they fit.
 */
export function warningFor(policy: string, m: ModelRef, reasons: readonly Reason[]): string {
  const codes = [...new Set(reasons.map((r) => r.code))].join(', ');
  return warning(`policy ${policy}: ${modelLabelShort(m)}: ${codes}: ${reasons.map(publicText).join('; ')}`);
}

/** The message part of publicReason, for the inventory and PolicyReports (cluster-visible too). */
export function publicText(r: Reason): string {
  let text = r.message;
  if (r.source) text = text.split(r.source).join('a stored bundle');
  text = scrubPaths(text);
  const req = r.requirement && !text.includes(r.requirement) ? ` [requirement ${r.requirement}]` : '';
  return `${text}${req}`;
}

/**
 * Absolute file paths (after a start, space, quote, bracket or `=`) become `.../<file name>`: the
 * name says which file, the directories say nothing the pod author needs. URLs (`https://x/…`)
 * and references (`r.example/m`) do not start with a slash, so they pass.
 */
export function scrubPaths(text: string): string {
  return text.replace(
    /(^|[\s"'([=])\/(?:[^\s"'()[\]:;,]*\/)?([^\s"'()[\]:;,/]*)/g,
    (_m, pre: string, file: string) => (file ? `${pre}.../${file}` : `${pre}.../`),
  );
}

/** Warnings travel as HTTP headers: printable ASCII, clipped to WARNING_MAX. */
export function warning(text: string): string {
  return clip(scrubPaths(text).replace(/[^\x20-\x7e]/g, '?'), WARNING_MAX);
}

export function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 3)}...`;
}
