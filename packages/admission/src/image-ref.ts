/** Image references as pods write them: pinned or not, their repository, where they sit. Pure. */
import { parseReference } from '@modelseal/oci/reference';

export const PINNED_IMAGE_RE = /@(sha256:[0-9a-f]{64})$/;

/** `registry/repository` as the registry knows it, or undefined for text that is no reference. */
export function canonicalRepository(image: string): string | undefined {
  try {
    const ref = parseReference(image);
    return `${ref.registry}/${ref.repository}`;
  } catch {
    return undefined;
  }
}

/** `spec.volumes[2]` -> `/spec/volumes/2` (field names here never need JSON-pointer escapes). */
export function pointerOf(path: string): string {
  return `/${path
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .join('/')}`;
}

export function stripTag(reference: string): string {
  if (reference === '') return '<repository>';
  const at = reference.indexOf('@');
  const base = at >= 0 ? reference.slice(0, at) : reference;
  const slash = base.lastIndexOf('/');
  const colon = base.lastIndexOf(':');
  return colon > slash ? base.slice(0, colon) : base;
}
