/** Unverified hints read from a Sigstore bundle, for filing and filtering only. Pure. */
import { isRecord, parseJson } from '@modelseal/core';

export interface BundlePeek {
  /** what cosign writes in `dev.sigstore.bundle.content` */
  readonly content: 'dsse-envelope' | 'message-signature';
  /** the in-toto statement's predicateType, when the payload is a statement */
  readonly predicateType?: string;
}

/** undefined when the bytes are not a bundle at all */
export function peekBundle(bytes: Uint8Array, what: string, maxBytes: number): BundlePeek | undefined {
  let doc: unknown;
  try {
    doc = parseJson(bytes, what, { maxBytes, maxDepth: 32 });
  } catch {
    return undefined;
  }
  if (!isRecord(doc) || typeof doc.mediaType !== 'string') return undefined;
  if (isRecord(doc.messageSignature)) return { content: 'message-signature' };
  const env = doc.dsseEnvelope;
  if (!isRecord(env) || typeof env.payload !== 'string') return undefined;
  try {
    const stmt: unknown = JSON.parse(Buffer.from(env.payload, 'base64').toString('utf8'));
    if (isRecord(stmt) && typeof stmt.predicateType === 'string') {
      return { content: 'dsse-envelope', predicateType: stmt.predicateType };
    }
  } catch {
    // a DSSE payload that is not JSON: still a bundle, with no predicate type to read
  }
  return { content: 'dsse-envelope' };
}
