/**
 * The globals PyTorch's `weights_only` unpickler accepts by default (torch/_weights_only_unpickler.py,
 * `_get_allowed_globals`, read in 2026). Written out by hand from what that function enumerates at run
 * time, so the list can be reviewed here: each group names the torch expression it comes from.
 * Nothing on it can run code beyond rebuilding tensors, storages, dtypes and plain containers.
 */

const STORAGE_DTYPES = [
  // torch.storage._dtype_to_storage_type_map(): str(dtype) of each key
  'float64',
  'float32',
  'float16',
  'int64',
  'int32',
  'int16',
  'int8',
  'uint8',
  'bool',
  'bfloat16',
  'complex128',
  'complex64',
  'qint8',
  'quint8',
  'qint32',
  'quint4x2',
  'quint2x4',
];

const NEW_DTYPES = [
  // torch.storage._new_dtypes()
  'float8_e5m2',
  'float8_e4m3fn',
  'float8_e5m2fnuz',
  'float8_e4m3fnuz',
  'float8_e8m0fnu',
  'float4_e2m1fn_x2',
  'bits8',
  'bits16',
  'bits1x8',
  'bits2x4',
  'bits4x2',
  'complex32',
  'uint16',
  'uint32',
  'uint64',
  // getattr(torch, f"uint{x}") and f"int{x}" for x in 1..7
  ...[1, 2, 3, 4, 5, 6, 7].flatMap((x) => [`uint${x}`, `int${x}`]),
];

// torch._tensor_classes: the legacy tensor types of the CPU, CUDA and sparse backends
const TENSOR_TYPES = ['Double', 'Float', 'Half', 'BFloat16', 'Byte', 'Char', 'Short', 'Int', 'Long', 'Bool'];
const TENSOR_MODULES = ['torch', 'torch.cuda', 'torch.sparse', 'torch.cuda.sparse'];

// torch._storage_classes (the CPU ones in `torch`, the CUDA ones in `torch.cuda`)
const STORAGE_TYPES = [
  'Double',
  'Float',
  'Half',
  'BFloat16',
  'Long',
  'Int',
  'Short',
  'Char',
  'Byte',
  'Bool',
  'ComplexDouble',
  'ComplexFloat',
  'QUInt8',
  'QInt8',
  'QInt32',
  'QUInt4x2',
  'QUInt2x4',
];

// _tensor_rebuild_functions() plus torch._tensor._rebuild_from_type_v2
const REBUILD = [
  '_rebuild_parameter',
  '_rebuild_parameter_with_state',
  '_rebuild_qtensor',
  '_rebuild_tensor',
  '_rebuild_tensor_v2',
  '_rebuild_tensor_v3',
  '_rebuild_sparse_tensor',
  '_rebuild_meta_tensor_no_storage',
  '_rebuild_wrapper_subclass',
  '_rebuild_device_tensor_from_numpy',
  '_rebuild_device_tensor_from_cpu_tensor',
];

export const WEIGHTS_ONLY_GLOBALS: readonly string[] = [
  // the fixed entries of _get_allowed_globals()
  'collections.OrderedDict',
  'collections.Counter',
  'torch.nn.parameter.Parameter',
  'torch.serialization._get_layout',
  'torch.Size',
  'torch.Tensor',
  'torch.device',
  '_codecs.encode',
  'builtins.bytearray',
  'builtins.set',
  'builtins.complex',
  ...[...STORAGE_DTYPES, ...NEW_DTYPES].map((d) => `torch.${d}`),
  ...TENSOR_MODULES.flatMap((m) => TENSOR_TYPES.map((t) => `${m}.${t}Tensor`)),
  ...STORAGE_TYPES.map((t) => `torch.${t}Storage`),
  ...STORAGE_TYPES.slice(0, 12).map((t) => `torch.cuda.${t}Storage`),
  'torch.storage.TypedStorage',
  'torch.storage.UntypedStorage',
  // quantization schemes
  'torch.per_tensor_affine',
  'torch.per_tensor_symmetric',
  'torch.per_channel_affine',
  'torch.per_channel_symmetric',
  'torch.per_channel_affine_float_qparams',
  ...REBUILD.map((f) => `torch._utils.${f}`),
  'torch._tensor._rebuild_from_type_v2',
];

/** Modules torch refuses even when a user allowlists them; no profile of ours may list them either. */
export const BLOCKED_MODULES: readonly string[] = ['sys', 'os', 'posix', 'nt'];
