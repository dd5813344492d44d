/** Bounds shared by every archive nested inside one scanned file. */
export interface ArchiveLimits {
  /** archives inside archives: a zip in a zip is depth 2 */
  readonly maxDepth: number;
  /** members across all nested archives */
  readonly maxEntries: number;
  /** bytes decompressed into memory across the whole file */
  readonly maxExpanded: number;
  /** bytes one member may decompress to */
  readonly maxMember: number;
}

export const DEFAULT_ARCHIVE_LIMITS: ArchiveLimits = {
  maxDepth: 4,
  maxEntries: 200_000,
  maxExpanded: 1 << 30,
  maxMember: 256 << 20,
};

export class Budget {
  expanded = 0;
  entries = 0;
  readonly limits: ArchiveLimits;
  constructor(limits: ArchiveLimits) {
    this.limits = limits;
  }
}
