import type { FindingCode } from '../findings.ts';
import { bytesReader, type ReadAt, sliceReader } from '../reader.ts';
import type { Budget } from './budget.ts';
import type { ZipEntry } from './zip.ts';

// Not `import`: the ES facade of node:zlib is built on first import; the CommonJS object is the same.
const zlib = process.getBuiltinModule('node:zlib');

export type Opened =
  | { readonly ok: true; readonly reader: ReadAt; readonly crc: 'ok' | 'mismatch' | 'unchecked' }
  | { readonly ok: false; readonly code: FindingCode; readonly message: string };

/** CRCs are checked on members read whole; a large stored member is analysed in place, unchecked. */
const CRC_STORED_MAX = 64 << 20;

/**
 * A member's bytes: stored members are a window onto the archive (nothing copied), deflated ones are
 * inflated under the budget. A member that inflates past what it declares, or past the budget, is a
 * zip bomb and is never expanded further than the limit.
 */
export function openZipMember(archive: ReadAt, e: ZipEntry, budget: Budget): Opened {
  const { maxMember, maxExpanded } = budget.limits;
  if (e.method === 0) {
    if (e.csize !== e.usize) {
      return {
        ok: false,
        code: 'ZIP_SIZE_MISMATCH',
        message: `stored entry ${e.name} declares ${e.usize} bytes, holds ${e.csize}`,
      };
    }
    const reader = sliceReader(archive, e.dataOffset, e.csize);
    if (e.csize > CRC_STORED_MAX) return { ok: true, reader, crc: 'unchecked' };
    return crcResult(e, reader.read(0, e.csize), reader);
  }
  if (e.method !== 8) {
    return {
      ok: false,
      code: 'ZIP_METHOD_UNSUPPORTED',
      message: `entry ${e.name} uses compression method ${e.method}`,
    };
  }
  const ratio = e.csize > 0 ? e.usize / e.csize : Number.POSITIVE_INFINITY;
  const remaining = maxExpanded - budget.expanded;
  if (e.usize > maxMember || e.usize > remaining) {
    return {
      ok: false,
      code: ratio > 100 ? 'ZIP_BOMB' : 'MEMBER_TOO_LARGE',
      message: `entry ${e.name} inflates to ${e.usize} bytes (ratio ${ratio.toFixed(0)}:1), over the ${Math.min(maxMember, remaining)}-byte limit`,
    };
  }
  if (e.csize > maxMember) {
    return {
      ok: false,
      code: 'MEMBER_TOO_LARGE',
      message: `entry ${e.name} has ${e.csize} compressed bytes`,
    };
  }
  let out: Buffer;
  try {
    // one byte more than declared: a member that lies about its size is caught, not expanded
    out = zlib.inflateRawSync(archive.read(e.dataOffset, e.csize), {
      maxOutputLength: Math.max(1, e.usize + 1),
    });
  } catch (err) {
    const tooBig = (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
    return tooBig
      ? {
          ok: false,
          code: 'ZIP_BOMB',
          message: `entry ${e.name} inflates past its declared ${e.usize} bytes`,
        }
      : {
          ok: false,
          code: 'ZIP_MALFORMED',
          message: `entry ${e.name} does not inflate: ${(err as Error).message}`,
        };
  }
  budget.expanded += out.byteLength;
  if (out.byteLength !== e.usize) {
    return {
      ok: false,
      code: 'ZIP_SIZE_MISMATCH',
      message: `entry ${e.name} inflates to ${out.byteLength} bytes, declares ${e.usize}`,
    };
  }
  const bytes = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  return crcResult(e, bytes, bytesReader(bytes));
}

function crcResult(e: ZipEntry, bytes: Uint8Array, reader: ReadAt): Opened {
  // a mismatch is reported, and the member still analysed: PyTorch's reader ignores CRCs
  return { ok: true, reader, crc: zlib.crc32(bytes) >>> 0 === e.crc >>> 0 ? 'ok' : 'mismatch' };
}

/** gzip: one member, inflated under the same budget. */
export function openGzip(r: ReadAt, budget: Budget): Opened {
  const { maxMember, maxExpanded } = budget.limits;
  if (r.size > maxMember)
    return { ok: false, code: 'MEMBER_TOO_LARGE', message: `gzip data of ${r.size} bytes` };
  const limit = Math.min(maxMember, maxExpanded - budget.expanded);
  let out: Buffer;
  try {
    out = zlib.gunzipSync(r.read(0, r.size), { maxOutputLength: Math.max(1, limit) });
  } catch (err) {
    const tooBig = (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
    return tooBig
      ? { ok: false, code: 'ZIP_BOMB', message: `gzip data inflates past the ${limit}-byte limit` }
      : {
          ok: false,
          code: 'ZIP_MALFORMED',
          message: `gzip data does not inflate: ${(err as Error).message}`,
        };
  }
  budget.expanded += out.byteLength;
  return {
    ok: true,
    reader: bytesReader(new Uint8Array(out.buffer, out.byteOffset, out.byteLength)),
    crc: 'ok',
  };
}
