import { analyseBlob } from './analyse.ts';
import { type ArchiveLimits, Budget, DEFAULT_ARCHIVE_LIMITS } from './containers/budget.ts';
import type { Ctx, FormatName, MemberRecord } from './context.ts';
import { type Finding, Findings } from './findings.ts';
import { scanTensorData } from './formats/savedmodel-scan.ts';
import type { TensorDataClaim } from './formats/tf-bundle.ts';
import type { PickleLimits } from './pickle/analyse.ts';
import { type Profile, WEIGHTS_ONLY_PROFILE } from './profile.ts';
import { countingReader, type ReadAt } from './reader.ts';

export type Verdict = 'pass' | 'fail';

export interface FileReport {
  /** as the caller named it: a path relative to the scanned directory */
  readonly path: string;
  readonly size: number;
  /** hex SHA-256 of the file, when the caller hashed it */
  readonly sha256?: string;
  readonly format: FormatName;
  readonly verdict: Verdict;
  readonly findings: readonly Finding[];
  /** findings beyond the cap, counted but not listed */
  readonly findingsDropped: number;
  /** every pickle import seen, allowed or not, as written */
  readonly globals: readonly string[];
  /** archive members and their formats */
  readonly members: readonly MemberRecord[];
  /** bytes the analysers read: headers, pickles and small members, never tensor data */
  readonly bytesRead: number;
}

export interface ScanOptions {
  readonly profile?: Profile;
  readonly archiveLimits?: Partial<ArchiveLimits>;
  readonly pickleLimits?: PickleLimits;
  readonly sha256?: string;
  /**
   * The file is a TensorFlow checkpoint data shard that this index names (from tensorBundleData
   * over the model's `*.index` files): TensorFlow reads it only as the tensor bytes the index
   * locates, so it is accepted unread when its size is what the index describes.
   */
  readonly tensorData?: TensorDataClaim;
}

/**
 * Scans one file's content. Pure: the caller supplies the bytes through ReadAt (the CLI over a file
 * descriptor, tests over memory). A read that throws is reported as READ_ERROR, and the verdict is
 * fail: nothing the scanner could not read passes.
 */
export function scanFile(path: string, reader: ReadAt, opts: ScanOptions = {}): FileReport {
  const counted = countingReader(reader);
  const ctx: Ctx = {
    profile: opts.profile ?? WEIGHTS_ONLY_PROFILE,
    findings: new Findings(),
    budget: new Budget({ ...DEFAULT_ARCHIVE_LIMITS, ...opts.archiveLimits }),
    pickleLimits: opts.pickleLimits,
    globals: new Set(),
    members: [],
  };
  let format: FormatName = 'unknown';
  try {
    format = opts.tensorData
      ? scanTensorData(counted, opts.tensorData, ctx)
      : analyseBlob(counted, ctx, undefined, 0);
  } catch (e) {
    ctx.findings.add({
      code: 'READ_ERROR',
      message: `could not be read: ${(e as Error)?.message ?? String(e)}`,
    });
  }
  return {
    path,
    size: reader.size,
    ...(opts.sha256 !== undefined ? { sha256: opts.sha256 } : {}),
    format,
    verdict: ctx.findings.list.length === 0 && ctx.findings.dropped === 0 ? 'pass' : 'fail',
    findings: ctx.findings.list,
    findingsDropped: ctx.findings.dropped,
    globals: [...ctx.globals],
    members: ctx.members,
    bytesRead: counted.bytesRead(),
  };
}
