import { InputError, isRecord } from '@modelseal/core';
import {
  BUNDLE_V01_MEDIA_TYPE,
  BUNDLE_V02_MEDIA_TYPE,
  BUNDLE_V03_LEGACY_MEDIA_TYPE,
  BUNDLE_V03_MEDIA_TYPE,
  type Bundle,
  bundleFromJSON,
} from '@sigstore/bundle';

const KNOWN_MEDIA_TYPES: readonly string[] = [
  BUNDLE_V01_MEDIA_TYPE,
  BUNDLE_V02_MEDIA_TYPE,
  BUNDLE_V03_LEGACY_MEDIA_TYPE,
  BUNDLE_V03_MEDIA_TYPE,
];

/**
 * Parsed JSON -> validated Sigstore bundle (v0.1, v0.2, v0.3). @sigstore/bundle validates any
 * unknown media type as if it were the latest; an unknown version may mean anything, so it is
 * refused here.
 */
export function parseSigstoreBundle(json: unknown, what = 'bundle'): Bundle {
  if (!isRecord(json)) throw invalid(what, 'is not a JSON object');
  if (typeof json.mediaType !== 'string' || !KNOWN_MEDIA_TYPES.includes(json.mediaType)) {
    throw new InputError({
      code: 'BUNDLE_MEDIA_TYPE',
      message: `${what} has mediaType ${JSON.stringify(json.mediaType)}; supported are Sigstore bundle v0.1, v0.2 and v0.3`,
    });
  }
  let bundle: Bundle;
  try {
    bundle = bundleFromJSON(json);
  } catch (e) {
    const fields = (e as { fields?: string[] }).fields;
    throw invalid(what, `${(e as Error).message}${fields?.length ? ` (${fields.join(', ')})` : ''}`, e);
  }
  if (bundle.content.$case === 'dsseEnvelope' && bundle.content.dsseEnvelope.signatures.length !== 1) {
    throw invalid(
      what,
      `DSSE envelope has ${bundle.content.dsseEnvelope.signatures.length} signatures, expected 1`,
    );
  }
  return bundle;
}

function invalid(what: string, problem: string, cause?: unknown): InputError {
  return new InputError({
    code: 'BUNDLE_INVALID',
    message: `${what} is not a valid Sigstore bundle: ${problem}`,
    cause,
  });
}
