import { lstatSync } from 'node:fs';
import type { Reference } from '@modelseal/oci';

/**
 * What a command's positional names: a local path, or an OCI reference. The rule, in order:
 *   1. `oci://REF` is always a reference;
 *   2. anything that exists on disk is a path (a directory never turns into a registry lookup);
 *   3. a reference whose first component is a registry host (has `.` or `:`, or is `localhost`)
 *      AND that names a tag or a digest (`host/repo:tag`, `host/repo@sha256:…`) is a reference;
 *   4. everything else is a path (and a missing one is MODEL_NOT_FOUND, as before).
 * So a mistyped directory never reaches the network unless it looks exactly like a pinned reference.
 */
export type Target =
  | { readonly kind: 'path'; readonly path: string }
  | { readonly kind: 'oci'; readonly text: string; readonly ref: Reference };

const HOST_FIRST = /^(?:[^/]*[.:][^/]*|localhost)\//;
const TAGGED = /(?:@|:[^/]*$)/;

export async function classifyTarget(text: string): Promise<Target> {
  if (text.startsWith('oci://')) return { kind: 'oci', text, ref: await parse(text.slice('oci://'.length)) };
  if (exists(text)) return { kind: 'path', path: text };
  const rest = text.slice(text.indexOf('/') + 1);
  if (HOST_FIRST.test(text) && TAGGED.test(rest)) {
    try {
      return { kind: 'oci', text, ref: await parse(text) };
    } catch {
      // not a reference after all: treated as the (missing) path it was typed as
    }
  }
  return { kind: 'path', path: text };
}

async function parse(text: string): Promise<Reference> {
  const { parseReference } = await import('@modelseal/oci');
  return parseReference(text);
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
