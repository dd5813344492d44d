export {
  bytesEqual,
  concatBytes,
  fromBase64,
  fromHex,
  sha256,
  sha256Hex,
  toBase64,
  toHex,
  utf8,
} from './bytes.ts';
export {
  asModelsealError,
  DigestMismatchError,
  type ErrorKind,
  type ErrorOptions,
  InputError,
  InternalError,
  isModelsealError,
  ModelsealError,
  NotFoundError,
  PolicyError,
  UsageError,
  VerificationError,
} from './errors.ts';
export { isRecord, type JsonLimits, parseJson } from './json.ts';
export { IN_TOTO_PAYLOAD_TYPE, pae } from './pae.ts';
