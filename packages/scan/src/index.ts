export { type ArchiveLimits, DEFAULT_ARCHIVE_LIMITS } from './containers/budget.ts';
export type { FormatName, MemberRecord } from './context.ts';
export { FINDING_CODES, type Finding, type FindingCode } from './findings.ts';
export { type TensorDataClaim, tensorBundleData } from './formats/tf-bundle.ts';
export { DEFAULT_PICKLE_LIMITS, type PickleLimits } from './pickle/analyse.ts';
export {
  getProfile,
  ML_PROFILE,
  PROFILE_NAMES,
  type Profile,
  type ProfileName,
  profileDigest,
  profileDocument,
  WEIGHTS_ONLY_PROFILE,
} from './profile.ts';
export { bytesReader, countingReader, type ReadAt, sliceReader } from './reader.ts';
export { type FileReport, type ScanOptions, scanFile, type Verdict } from './scan.ts';
export {
  SCAN_PREDICATE_TYPE,
  SCANNER_NAME,
  SCANNER_VERSION,
  type ScanPredicate,
  type ScanStatement,
  type ScanStatementInput,
  type ScanSubject,
  scanStatement,
  scanVerdict,
} from './statement.ts';
