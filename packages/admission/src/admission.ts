import { type InputCode, InputError, isRecord } from '@modelseal/core';

/** AdmissionReview v1, the fields we read and write (client-node ships no types for it). */
export interface AdmissionRequest {
  readonly uid: string;
  readonly kind?: { readonly group?: string; readonly version?: string; readonly kind?: string };
  readonly subResource?: string;
  readonly name?: string;
  readonly namespace?: string;
  readonly operation?: string;
  readonly object?: unknown;
  /** UPDATE: the object before the change */
  readonly oldObject?: unknown;
  readonly dryRun?: boolean;
}

export interface AdmissionResponse {
  readonly uid: string;
  readonly allowed: boolean;
  readonly status?: { readonly code: number; readonly reason?: string; readonly message: string };
  readonly warnings?: readonly string[];
  readonly auditAnnotations?: Readonly<Record<string, string>>;
  /** /mutate only: base64 of an RFC 6902 JSON patch */
  readonly patchType?: 'JSONPatch';
  readonly patch?: string;
}

export interface AdmissionReview {
  readonly apiVersion: 'admission.k8s.io/v1';
  readonly kind: 'AdmissionReview';
  readonly request?: AdmissionRequest;
  readonly response?: AdmissionResponse;
}

const UID_RE = /^[A-Za-z0-9._:-]{1,128}$/;

/** Structural checks only; what the request means is decide()'s business. */
export function parseReview(doc: unknown): AdmissionRequest {
  checkReview(doc);
  return doc.request;
}

function checkReview(doc: unknown): asserts doc is { request: AdmissionRequest } {
  const bad = (code: InputCode, message: string): never => {
    throw new InputError({ code, message });
  };
  if (!isRecord(doc)) return bad('REVIEW_NOT_OBJECT', 'body must be a JSON AdmissionReview object');
  if (doc.apiVersion !== 'admission.k8s.io/v1' || doc.kind !== 'AdmissionReview') {
    return bad(
      'REVIEW_WRONG_VERSION',
      `expected apiVersion admission.k8s.io/v1 kind AdmissionReview, got ${JSON.stringify(doc.apiVersion)} ${JSON.stringify(doc.kind)}; set admissionReviewVersions: [v1]`,
    );
  }
  const req = doc.request;
  if (!isRecord(req)) return bad('REVIEW_NO_REQUEST', 'AdmissionReview has no request object');
  if (typeof req.uid !== 'string' || !UID_RE.test(req.uid)) {
    bad('REVIEW_BAD_UID', 'request.uid must be a non-empty string of at most 128 safe characters');
  }
}

export function reviewOf(response: AdmissionResponse): AdmissionReview {
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response };
}
