import type { FileFormat } from './types.ts';

/** How many leading bytes detectFormat looks at: the edge reads this much of each file, no more. */
export const FORMAT_HEAD_BYTES = 256;

const MAX_SAFETENSORS_HEADER = 100 * 1024 * 1024;

/**
 * A cheap identification from a file's first bytes, for the inventory: a format name, not a
 * verdict. The scanner (packages/scan) validates whole headers and walks pickles; a verdict of its
 * own, when attested, is shown next to this.
 */
export function detectFormat(head: Uint8Array, size: number): FileFormat {
  if (size === 0) return 'empty';
  if (startsWith(head, [0x47, 0x47, 0x55, 0x46])) return 'gguf';
  if (startsWith(head, [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59])) return 'numpy';
  if (startsWith(head, [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a])) return 'hdf5';
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04])) return zipKind(head);
  // PROTO opcode and a protocol number: the opening of every pickle of protocol 2 and later
  if (head.length >= 2 && head[0] === 0x80 && head[1]! >= 2 && head[1]! <= 5) return 'pickle';
  if (isSafetensors(head, size)) return 'safetensors';
  const text = asText(head);
  if (text === undefined) return 'unknown';
  const first = text.trimStart()[0];
  return first === '{' || first === '[' ? 'json' : 'text';
}

/** safetensors: a little-endian u64 header length, then that many bytes of JSON object. */
function isSafetensors(head: Uint8Array, size: number): boolean {
  if (head.length < 9) return false;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const n = view.getBigUint64(0, true);
  return n > 1n && n <= BigInt(Math.min(MAX_SAFETENSORS_HEADER, size - 8)) && head[8] === 0x7b;
}

/** torch.save writes a zip whose first member is `<archive>/data.pkl` (or `.data/version`). */
function zipKind(head: Uint8Array): FileFormat {
  if (head.length < 30) return 'zip';
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const nameLength = view.getUint16(26, true);
  const name = new TextDecoder('utf-8', { fatal: false }).decode(head.subarray(30, 30 + nameLength));
  return /(^|\/)(data\.pkl|\.data\/version|version)$/.test(name) ? 'pytorch-zip' : 'zip';
}

function startsWith(head: Uint8Array, magic: readonly number[]): boolean {
  return head.length >= magic.length && magic.every((b, i) => head[i] === b);
}

function asText(head: Uint8Array): string | undefined {
  let text: string;
  try {
    // the head may end inside a multi-byte character: allow a cut sequence at the very end only
    text = new TextDecoder('utf-8', { fatal: true }).decode(trimCutSequence(head));
  } catch {
    return undefined;
  }
  // control characters other than tab / newline / carriage return: binary
  return /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text) ? undefined : text;
}

function trimCutSequence(head: Uint8Array): Uint8Array {
  let end = head.length;
  for (let i = 1; i <= 3 && end - i >= 0; i++) {
    const b = head[end - i]!;
    if ((b & 0xc0) === 0x80) continue;
    // a lead byte whose sequence runs past the end: drop it and its continuation bytes
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    if (need > i) end -= i;
    break;
  }
  return head.subarray(0, end);
}
