/**
 * The resource list `verify-digest` diffs against, to name changed, missing and extra files. It
 * may come as a Sigstore bundle, an in-toto statement, or an OMS predicate (`{serialization,
 * resources}`, which is also what `digest --output json` prints and what /mutate puts in the
 * verifier's environment). Its signature is not checked here (admission did that); it counts
 * only if its resources hash to the digest being checked, so a wrong list cannot mislead.
 */
import {
  buildStatement,
  manifestFromOmsStatement,
  OMS_PREDICATE_TYPE,
  parseStatement,
} from '@modelseal/attest';
import { InputError, isModelsealError, isRecord, parseJson } from '@modelseal/core';
import type { Manifest } from '@modelseal/manifest';
import { parseBundle } from '@modelseal/verify';

const LIMITS = { maxBytes: 64 << 20, maxDepth: 64 };

/** `digest` is `sha256:<hex>`; `source` names where the bytes came from, for messages. */
export function admittedManifest(bytes: Uint8Array | string, digest: string, source: string): Manifest {
  const doc = parseJson(bytes, source, LIMITS);
  if (!isRecord(doc)) {
    throw new InputError({ code: 'MANIFEST_INVALID', message: `${source} is not a JSON object` });
  }
  const hex = digest.slice('sha256:'.length);
  let manifest: Manifest;
  if (typeof doc.mediaType === 'string' && doc.mediaType.startsWith('application/vnd.dev.sigstore.bundle')) {
    manifest = manifestFromOmsStatement(parseStatement(parseBundle(doc).payload));
  } else if (typeof doc._type === 'string') {
    manifest = manifestFromOmsStatement(parseStatement(bytes));
  } else if (isRecord(doc.serialization) && Array.isArray(doc.resources)) {
    const predicate = { serialization: doc.serialization, resources: doc.resources };
    // the subject is the digest under test: manifestFromOmsStatement refuses a list that does not give it
    const statement = buildStatement(
      [{ name: 'model', digest: { sha256: hex } }],
      OMS_PREDICATE_TYPE,
      predicate,
    );
    try {
      manifest = manifestFromOmsStatement(statement);
    } catch (e) {
      if (!isModelsealError(e) || e.code !== 'SUBJECT_DIGEST_MISMATCH') throw e;
      throw notAdmitted(source, String(e.details?.computed), digest);
    }
  } else {
    throw new InputError({
      code: 'MANIFEST_INVALID',
      message: `${source} is neither a Sigstore bundle, an in-toto statement nor an OMS predicate ({serialization, resources})`,
    });
  }
  if (manifest.subjectDigest !== hex) throw notAdmitted(source, manifest.subjectDigest, digest);
  return manifest;
}

function notAdmitted(source: string, listed: string, digest: string): InputError {
  return new InputError({
    code: 'MANIFEST_NOT_ADMITTED',
    message: `${source} lists resources whose digest is sha256:${listed}, not ${digest}; give the bundle or resource list of the admitted digest`,
    details: { manifestDigest: `sha256:${listed}`, digest },
  });
}
