/**
 * A finding is a reason a file fails the scan. There are no warnings: what the scanner cannot
 * prove harmless is a finding (fail closed). Codes are stable; docs/scan.md lists them all.
 */
export const FINDING_CODES = [
  // pickle: imports and calls
  'GLOBAL_NOT_ALLOWED',
  'PICKLE_STACK_GLOBAL_NONCONST',
  'PICKLE_CALL_TARGET',
  'PICKLE_BUILD_TARGET',
  'PICKLE_TARGET_TYPE',
  'PICKLE_PERSID',
  'PICKLE_EXT',
  'PICKLE_OUT_OF_BAND',
  // pickle: structure
  'PICKLE_PROTO_REPEATED',
  'PICKLE_PROTO_UNSUPPORTED',
  'PICKLE_FRAME_BAD',
  'PICKLE_MEMO_MISSING',
  'PICKLE_MEMO_OVERWRITE',
  'PICKLE_STACK_UNDERFLOW',
  'PICKLE_MARK_MISSING',
  'PICKLE_STACK_LEFTOVER',
  'PICKLE_OPCODE_UNKNOWN',
  'PICKLE_BAD_ARGUMENT',
  'PICKLE_TRUNCATED',
  'PICKLE_TRAILING_DATA',
  'PICKLE_LIMIT_MEMO',
  'PICKLE_LIMIT_STACK',
  'PICKLE_LIMIT_DEPTH',
  'PICKLE_LIMIT_OPS',
  // containers
  'ZIP_MALFORMED',
  'ZIP_ENCRYPTED',
  'ZIP_METHOD_UNSUPPORTED',
  'ZIP_NAME_MISMATCH',
  'ARCHIVE_BAD_NAME',
  'ZIP_DUPLICATE_NAME',
  'ZIP_CRC_MISMATCH',
  'ZIP_SIZE_MISMATCH',
  'ZIP_OVERLAP',
  'ZIP_BOMB',
  'ZIP_TOO_MANY_ENTRIES',
  'TAR_MALFORMED',
  'ARCHIVE_TOO_DEEP',
  'MEMBER_TOO_LARGE',
  // formats
  'FORMAT_UNKNOWN',
  'FORMAT_NOT_ANALYSED',
  'TORCHSCRIPT_CODE',
  'SAFETENSORS_HEADER',
  'SAFETENSORS_HEADER_TOO_LARGE',
  'SAFETENSORS_DUPLICATE_KEY',
  'SAFETENSORS_DTYPE_UNKNOWN',
  'SAFETENSORS_SHAPE_MISMATCH',
  'SAFETENSORS_OFFSETS',
  'SAFETENSORS_TRAILING_DATA',
  'GGUF_HEADER',
  'GGUF_LIMIT',
  'GGUF_DUPLICATE_KEY',
  'GGUF_TENSOR_TYPE_UNKNOWN',
  'GGUF_OFFSETS',
  'GGUF_TRAILING_DATA',
  'NPY_HEADER',
  'NPY_SIZE',
  'ONNX_MALFORMED',
  'ONNX_CUSTOM_DOMAIN',
  'ONNX_EXTERNAL_DATA',
  'SAVEDMODEL_MALFORMED',
  'SAVEDMODEL_OP',
  'SAVEDMODEL_OP_UNKNOWN',
  'SAVEDMODEL_CHECKPOINT_PATH',
  'SAVEDMODEL_ASSET_PATH',
  'SAVEDMODEL_VARIABLES',
  'HDF5_MALFORMED',
  'HDF5_EXTERNAL',
  'HDF5_OBJECT_DATA',
  'HDF5_LIMIT',
  'KERAS_LAMBDA',
  'KERAS_CUSTOM_OBJECT',
  'HF_REMOTE_CODE',
  'TEMPLATE_UNSAFE',
  'JSON_MALFORMED',
  'READ_ERROR',
] as const;

export type FindingCode = (typeof FINDING_CODES)[number];

export interface Finding {
  readonly code: FindingCode;
  readonly message: string;
  /** `module.qualname` of the import or call, as written in the pickle */
  readonly global?: string;
  /** where inside the file: a zip member path, `a.zip!b.npy`, a GGUF key */
  readonly member?: string;
  /** byte offset inside the member (or the file) */
  readonly offset?: number;
}

/** Collects findings with a cap: a hostile file must not grow the report without bound. */
export class Findings {
  readonly list: Finding[] = [];
  dropped = 0;
  private readonly max: number;
  constructor(max = 1000) {
    this.max = max;
  }

  add(f: Finding): void {
    if (this.list.length < this.max) this.list.push(f);
    else this.dropped++;
  }
}
