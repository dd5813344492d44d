/**
 * What the `ml` profile allows beyond `weights-only`. Every entry says why loading it cannot run
 * code chosen by the file: the unpickler can only call it with constants and objects that are
 * themselves on the list, and BUILD only reaches the instance it created.
 */
export interface AllowEntry {
  readonly global: string;
  readonly why: string;
}

const NUMPY_RECONSTRUCT =
  'builds an empty array of the given subtype and dtype; the subtype and dtype arrive as globals that must be on this list, and BUILD then calls ndarray.__setstate__, which only copies shape, dtype and raw data';
const NUMPY_SCALAR =
  'makes a numpy scalar from a dtype (itself checked) and its raw bytes; no callable is looked up';

export const ML_EXTRA: readonly AllowEntry[] = [
  { global: 'numpy.core.multiarray._reconstruct', why: NUMPY_RECONSTRUCT },
  { global: 'numpy._core.multiarray._reconstruct', why: `${NUMPY_RECONSTRUCT} (numpy 2 module name)` },
  { global: 'numpy.core.multiarray.scalar', why: NUMPY_SCALAR },
  { global: 'numpy._core.multiarray.scalar', why: `${NUMPY_SCALAR} (numpy 2 module name)` },
  {
    global: 'numpy.ndarray',
    why: 'the array type, passed to _reconstruct as the subtype; its __setstate__ sets shape, dtype and data and nothing else',
  },
  {
    global: 'numpy.dtype',
    why: 'dtype("f8", False, True) parses a type code; __setstate__ sets byte order, fields and flags. An object dtype ("O") makes numpy unpickle the elements, which this same walk checks',
  },
  {
    global: 'argparse.Namespace',
    why: 'a plain attribute bag (fairseq and many training scripts save their arguments in it); construction and BUILD only set attributes on the new instance',
  },
  {
    global: 'torch.torch_version.TorchVersion',
    why: 'a str subclass holding a version string; constructing it parses nothing and imports nothing',
  },
  {
    global: 'collections.defaultdict',
    why: 'dict with a default factory; the factory is a global of the pickle, so it too must be on this list before it can be passed in',
  },
  {
    global: 'builtins.slice',
    why: 'slice(start, stop, step) of constants; no side effects',
  },
  {
    global: 'builtins.range',
    why: 'range(start, stop, step) of constants; no side effects',
  },
  {
    global: 'builtins.frozenset',
    why: 'immutable set of already-checked items; the same as the FROZENSET opcode',
  },
  {
    global: 'datetime.datetime',
    why: 'datetime from its packed bytes (how checkpoints record a timestamp); parses bytes, no lookup',
  },
  {
    global: 'datetime.timedelta',
    why: 'duration from three integers; no side effects',
  },
];

/**
 * ONNX operator domains whose kernels ship inside the runtime: a node in any other domain needs a
 * custom-op library loaded at session creation, which is native code the model chose.
 */
export const ONNX_STANDARD_DOMAINS: readonly string[] = [
  '',
  'ai.onnx',
  'ai.onnx.ml',
  'ai.onnx.training',
  'ai.onnx.preview.training',
];
export const ONNX_ML_DOMAINS: readonly AllowEntry[] = [
  {
    global: 'com.microsoft',
    why: 'onnxruntime contrib operators (Attention, FusedMatMul, ...) compiled into onnxruntime itself; no library is loaded',
  },
  {
    global: 'com.microsoft.nchwc',
    why: 'onnxruntime layout-optimised kernels, compiled in; produced by its own graph optimiser',
  },
];
