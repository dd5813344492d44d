import { type Profile, profileDigest } from './profile.ts';
import type { FileReport, Verdict } from './scan.ts';

/**
 * The scan result as an in-toto Statement v1 payload with a predicate of ours,
 * `https://modelseal.dev/scan-result/v1` (JSON Schema: packages/scan/schemas/scan-result-v1.schema.json).
 * The subject is what the caller attests about: normally the model's OMS subject digest, so a policy
 * can ask for "a passing scan of this digest, signed by this identity" next to its signature.
 */
export const SCAN_PREDICATE_TYPE = 'https://modelseal.dev/scan-result/v1';
export const SCANNER_NAME = 'modelseal-scan';
export const SCANNER_VERSION = '0.1.0';

export interface ScanSubject {
  readonly name: string;
  readonly digest: Readonly<Record<string, string>>;
}

export interface ScanStatementInput {
  readonly subject: readonly ScanSubject[];
  readonly profile: Profile;
  readonly files: readonly FileReport[];
  /** RFC 3339; passed in so that the builder stays pure */
  readonly scannedAt: string;
}

export interface ScanStatement {
  readonly _type: 'https://in-toto.io/Statement/v1';
  readonly subject: readonly ScanSubject[];
  readonly predicateType: typeof SCAN_PREDICATE_TYPE;
  readonly predicate: ScanPredicate;
}

export interface ScanPredicate {
  readonly scanner: { readonly name: string; readonly version: string };
  readonly profile: {
    readonly name: string;
    readonly version: number;
    readonly digest: { readonly sha256: string };
  };
  readonly scannedAt: string;
  readonly verdict: Verdict;
  readonly files: readonly {
    readonly path: string;
    readonly digest: { readonly sha256: string };
    readonly size: number;
    readonly format: string;
    readonly verdict: Verdict;
    readonly findings: readonly {
      readonly code: string;
      readonly message: string;
      readonly global?: string;
      readonly member?: string;
    }[];
  }[];
}

export function scanVerdict(files: readonly FileReport[]): Verdict {
  return files.length > 0 && files.every((f) => f.verdict === 'pass') ? 'pass' : 'fail';
}

export function scanStatement(input: ScanStatementInput): ScanStatement {
  if (input.subject.length === 0) throw new Error('a scan statement needs at least one subject');
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(input.scannedAt)) {
    throw new Error(`scannedAt ${JSON.stringify(input.scannedAt)} is not an RFC 3339 UTC time`);
  }
  const files = input.files.map((f) => {
    if (f.sha256 === undefined)
      throw new Error(`file ${f.path} has no digest; attested files must be hashed`);
    return {
      path: f.path,
      digest: { sha256: f.sha256 },
      size: f.size,
      format: f.format,
      verdict: f.verdict,
      findings: f.findings.map((x) => ({
        code: x.code,
        message: x.message,
        ...(x.global !== undefined ? { global: x.global } : {}),
        ...(x.member !== undefined ? { member: x.member } : {}),
      })),
    };
  });
  return {
    _type: 'https://in-toto.io/Statement/v1',
    subject: input.subject,
    predicateType: SCAN_PREDICATE_TYPE,
    predicate: {
      scanner: { name: SCANNER_NAME, version: SCANNER_VERSION },
      profile: {
        name: input.profile.name,
        version: input.profile.version,
        digest: { sha256: profileDigest(input.profile) },
      },
      scannedAt: input.scannedAt,
      verdict: scanVerdict(input.files),
      files,
    },
  };
}
