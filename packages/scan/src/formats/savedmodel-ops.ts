/**
 * Which TensorFlow ops a SavedModel may use. An allowlist, not a denylist: TensorFlow registers
 * well over a thousand ops, new ones arrive every release, and the ones that reach outside the
 * process are spread across every corner of it (readers, datasets, summaries, debug taps, lookup
 * table initialisers, RPC, collectives). An op not listed here fails the scan by name
 * (SAVEDMODEL_OP_UNKNOWN) rather than passing because nobody thought of it. Listed ops compute on
 * tensors in memory: math, array shuffling, neural-network kernels, control flow, variables held
 * by the runtime, random numbers, pure string and image codecs, in-memory lookup tables.
 *
 * The checkpoint ops (SaveV2, RestoreV2, MergeV2Checkpoints) do touch files; every SavedModel
 * has them, so they are allowed only where their paths come from the loader (savedmodel.ts).
 */
const PURE = `
NoOp Identity IdentityN Const Placeholder PlaceholderWithDefault StopGradient PreventGradient
PartitionedCall StatefulPartitionedCall If StatelessIf While StatelessWhile Case StatelessCase
Switch Merge Enter Exit NextIteration LoopCond ControlTrigger RefIdentity RefSwitch RefMerge RefEnter
RefExit RefNextIteration Snapshot EnsureShape CheckNumerics CheckNumericsV2 Assert Print
OptionalFromValue OptionalGetValue OptionalHasValue OptionalNone DebugGradientIdentity
FakeParam ZerosLike OnesLike Fill Empty

VarHandleOp ReadVariableOp AssignVariableOp AssignAddVariableOp AssignSubVariableOp VarIsInitializedOp
DestroyResourceOp DisableCopyOnRead ResourceGather ResourceGatherNd ResourceScatterAdd ResourceScatterSub
ResourceScatterMul ResourceScatterDiv ResourceScatterMin ResourceScatterMax ResourceScatterUpdate
ResourceScatterNdUpdate ResourceScatterNdAdd ResourceScatterNdSub ResourceStridedSliceAssign VariableShape
Variable VariableV2 Assign AssignAdd AssignSub IsVariableInitialized ScatterAdd ScatterSub ScatterUpdate
ScatterNdUpdate ScatterNdAdd ScatterNdSub StridedSliceAssign
ResourceApplyAdam ResourceApplyAdamWithAmsgrad ResourceApplyGradientDescent ResourceApplyMomentum
ResourceApplyKerasMomentum ResourceApplyRMSProp ResourceApplyCenteredRMSProp ResourceApplyAdagrad
ResourceApplyAdagradV2 ResourceApplyAdadelta ResourceApplyFtrl ResourceApplyFtrlV2 ResourceApplyAdaMax
ResourceApplyProximalAdagrad ResourceApplyProximalGradientDescent ResourceApplyAddSign ResourceApplyPowerSign
ResourceSparseApplyAdagrad ResourceSparseApplyAdagradV2 ResourceSparseApplyMomentum
ResourceSparseApplyKerasMomentum ResourceSparseApplyFtrl ResourceSparseApplyFtrlV2 ResourceSparseApplyRMSProp
ResourceSparseApplyAdadelta ResourceSparseApplyCenteredRMSProp ResourceSparseApplyProximalAdagrad
ApplyAdam ApplyGradientDescent ApplyMomentum ApplyRMSProp ApplyAdagrad

Add AddV2 AddN Sub Mul MulNoNan Div DivNoNan RealDiv FloorDiv FloorMod TruncateDiv TruncateMod Mod Pow
Maximum Minimum SquaredDifference Neg Abs Sign Reciprocal Inv Square Sqrt Rsqrt Exp Expm1 Log Log1p Sin
Cos Tan Asin Acos Atan Atan2 Sinh Cosh Tanh Asinh Acosh Atanh Sigmoid Erf Erfc Erfinv Ndtri Lgamma Digamma
Igamma Igammac Betainc Zeta Polygamma Floor Ceil Round Rint IsNan IsInf IsFinite Equal NotEqual Less
LessEqual Greater GreaterEqual LogicalAnd LogicalOr LogicalNot Select SelectV2 Cast Bitcast BitwiseAnd
BitwiseOr BitwiseXor Invert LeftShift RightShift PopulationCount MatMul BatchMatMul BatchMatMulV2
BatchMatMulV3 SparseMatMul Sum Prod Mean Max Min All Any ArgMax ArgMin Cumsum Cumprod CumulativeLogsumexp
EuclideanNorm SegmentSum SegmentMean SegmentMax SegmentMin SegmentProd UnsortedSegmentSum UnsortedSegmentMax
UnsortedSegmentMin UnsortedSegmentProd SparseSegmentSum SparseSegmentMean SparseSegmentSqrtN
SparseSegmentSumWithNumSegments SparseSegmentMeanWithNumSegments SparseSegmentSqrtNWithNumSegments Range
LinSpace Complex Real Imag ComplexAbs Conj Angle ClipByValue Einsum Xlogy Xdivy Xlog1py L2Loss BiasAdd
BiasAddV1 Bucketize HistogramFixedWidth ApproximateEqual InTopK InTopKV2 TopK TopKV2 Cross Qr Svd
MatrixInverse MatrixDeterminant LogMatrixDeterminant Cholesky MatrixSolve MatrixSolveLs
MatrixTriangularSolve MatrixBandPart MatrixDiag MatrixDiagV2 MatrixDiagV3 MatrixDiagPart MatrixDiagPartV2
MatrixDiagPartV3 MatrixSetDiag MatrixSetDiagV2 MatrixSetDiagV3 MatrixExponential MatrixLogarithm
MatrixSquareRoot SelfAdjointEigV2 Lu FFT IFFT RFFT IRFFT FFT2D IFFT2D RFFT2D IRFFT2D FFT3D IFFT3D RFFT3D
IRFFT3D TensorScatterUpdate TensorScatterAdd TensorScatterSub TensorScatterMax TensorScatterMin ScatterNd
LowerBound UpperBound

ReluGrad Relu6Grad EluGrad SeluGrad LeakyReluGrad SoftplusGrad SoftsignGrad TanhGrad SigmoidGrad RsqrtGrad
SqrtGrad ReciprocalGrad InvGrad BiasAddGrad BroadcastGradientArgs Conv2DBackpropInput Conv2DBackpropFilter
Conv3DBackpropInputV2 Conv3DBackpropFilterV2 DepthwiseConv2dNativeBackpropInput
DepthwiseConv2dNativeBackpropFilter MaxPoolGrad MaxPoolGradV2 MaxPoolGradGrad AvgPoolGrad MaxPool3DGrad
AvgPool3DGrad FusedBatchNormGrad FusedBatchNormGradV2 FusedBatchNormGradV3 StridedSliceGrad
SoftmaxCrossEntropyWithLogits SparseSoftmaxCrossEntropyWithLogits LRNGrad

Relu Relu6 Elu Selu LeakyRelu Softplus Softsign Softmax LogSoftmax Conv2D Conv3D Conv DepthwiseConv2dNative
MaxPool MaxPoolV2 MaxPool3D AvgPool AvgPool3D MaxPoolWithArgmax FusedBatchNorm FusedBatchNormV2
FusedBatchNormV3 BatchNormWithGlobalNormalization LRN Dilation2D CTCGreedyDecoder CTCBeamSearchDecoder
CTCLoss CTCLossV2 CudnnRNN CudnnRNNV2 CudnnRNNV3 CudnnRNNParamsSize CudnnRNNParamsToCanonical
CudnnRNNParamsToCanonicalV2 CudnnRNNCanonicalToParams CudnnRNNCanonicalToParamsV2 NthElement

Reshape Shape ShapeN Size Rank ExpandDims Squeeze Transpose ConjugateTranspose Concat ConcatV2 ConcatOffset
Split SplitV Slice StridedSlice TensorStridedSliceUpdate Tile Pad PadV2 MirrorPad Pack Unpack Gather
GatherV2 GatherNd Where Unique UniqueV2 UniqueWithCounts UniqueWithCountsV2 Reverse ReverseV2
ReverseSequence OneHot BroadcastTo BroadcastArgs SpaceToBatch SpaceToBatchND BatchToSpace BatchToSpaceND
SpaceToDepth DepthToSpace ListDiff InvertPermutation DynamicStitch ParallelDynamicStitch DynamicPartition
Diag DiagPart UnravelIndex EditDistance Roll ExtractImagePatches ExtractVolumePatches QuantizeAndDequantize
QuantizeAndDequantizeV2 QuantizeAndDequantizeV3 QuantizeAndDequantizeV4 FakeQuantWithMinMaxArgs
FakeQuantWithMinMaxVars FakeQuantWithMinMaxVarsPerChannel QuantizeV2 Dequantize Bincount DenseBincount
SetSize DenseToDenseSetOperation DenseToSparseSetOperation

RandomUniform RandomUniformInt RandomStandardNormal TruncatedNormal RandomShuffle Multinomial RandomGamma
RandomPoisson RandomPoissonV2 StatelessRandomUniform StatelessRandomUniformV2 StatelessRandomNormal
StatelessRandomNormalV2 StatelessTruncatedNormal StatelessTruncatedNormalV2 StatelessRandomUniformInt
StatelessRandomUniformIntV2 StatelessRandomUniformFullInt StatelessRandomUniformFullIntV2
StatelessRandomGetKeyCounter StatelessRandomGetKeyCounterAlg StatelessRandomGetAlg StatelessMultinomial
StatelessRandomBinomial StatelessRandomGammaV2 StatelessRandomGammaV3 StatelessRandomPoisson
StatelessShuffle RandomIndexShuffle RngReadAndSkip RngSkip StatefulUniform StatefulUniformInt
StatefulUniformFullInt StatefulStandardNormal StatefulStandardNormalV2 StatefulTruncatedNormal

StringJoin StringSplit StringSplitV2 StringStrip StringLower StringUpper StringLength Substr StringToNumber
AsString RegexReplace StaticRegexReplace RegexFullMatch StaticRegexFullMatch StringToHashBucket
StringToHashBucketFast StringToHashBucketStrong ReduceJoin UnicodeDecode UnicodeDecodeWithOffsets
UnicodeEncode UnicodeScript UnicodeTranscode StringNGrams StringFormat EncodeBase64 DecodeBase64 DecodeRaw
DecodePaddedRaw DecodeCSV DecodeCompressed ParseExample ParseExampleV2 ParseSingleExample
ParseSequenceExample ParseSequenceExampleV2 ParseSingleSequenceExample SerializeTensor ParseTensor
ShardedFilename ShardedFilespec

DecodeJpeg DecodePng DecodeBmp DecodeGif DecodeImage DecodeAndCropJpeg DecodeWebP EncodeJpeg EncodePng
ResizeBilinear ResizeNearestNeighbor ResizeBicubic ResizeArea ScaleAndTranslate CropAndResize
AdjustContrastv2 AdjustHue AdjustSaturation RGBToHSV HSVToRGB NonMaxSuppression NonMaxSuppressionV2
NonMaxSuppressionV3 NonMaxSuppressionV4 NonMaxSuppressionV5 CombinedNonMaxSuppression DrawBoundingBoxes
DrawBoundingBoxesV2 ImageProjectiveTransformV2 ImageProjectiveTransformV3 DecodeWav EncodeWav
AudioSpectrogram Mfcc

HashTable HashTableV2 MutableHashTable MutableHashTableV2 MutableHashTableOfTensors MutableHashTableOfTensorsV2
MutableDenseHashTable MutableDenseHashTableV2 AnonymousHashTable AnonymousMutableHashTable
AnonymousMutableHashTableOfTensors AnonymousMutableDenseHashTable LookupTableFind LookupTableFindV2
LookupTableInsert LookupTableInsertV2 LookupTableImport LookupTableImportV2 LookupTableExport
LookupTableExportV2 LookupTableSize LookupTableSizeV2 LookupTableRemoveV2 InitializeTable InitializeTableV2

TensorListFromTensor TensorListReserve TensorListStack TensorListGetItem TensorListSetItem TensorListPushBack
TensorListPopBack TensorListLength TensorListElementShape TensorListConcat TensorListConcatV2 TensorListSplit
TensorListGather TensorListScatter TensorListScatterV2 TensorListScatterIntoExistingList EmptyTensorList
TensorListResize TensorListConcatLists TensorListPushBackBatch TensorArrayV3 TensorArrayReadV3
TensorArrayWriteV3 TensorArrayScatterV3 TensorArrayGatherV3 TensorArraySizeV3 TensorArrayCloseV3
TensorArrayConcatV3 TensorArraySplitV3 TensorArrayGradV3

SparseToDense SparseTensorDenseMatMul SparseReshape SparseFillEmptyRows SparseReorder SparseAdd SparseConcat
SparseSlice SparseReduceSum SparseReduceMax SparseTensorDenseAdd SparseSoftmax SparseDenseCwiseMul
SparseDenseCwiseAdd SparseDenseCwiseDiv SparseSparseMaximum SparseSparseMinimum SparseSplit
SparseFillEmptyRowsGrad SparseSegmentSumGrad SparseSegmentMeanGrad SparseSegmentSqrtNGrad
RaggedTensorToTensor RaggedTensorToSparse RaggedTensorFromVariant RaggedTensorToVariant RaggedRange
RaggedGather RaggedCross RaggedBincount RaggedFillEmptyRows
`;

export const PURE_OPS: ReadonlySet<string> = new Set(PURE.split(/\s+/).filter((s) => s !== ''));

/** the checkpoint ops every SavedModel carries; input indices that are file paths */
export const CHECKPOINT_OPS: Readonly<Record<string, readonly number[]>> = {
  SaveV2: [0],
  RestoreV2: [0],
  MergeV2Checkpoints: [0, 1],
};

/** ops that pass a path through unchanged in what the loader feeds: (op, inputs that carry it) */
export const PATH_PLUMBING: Readonly<Record<string, readonly number[] | 'all'>> = {
  Identity: [0],
  StringJoin: [0],
  ShardedFilename: [0],
  Pack: 'all',
};

const say = (ops: string, why: string): [string, string][] =>
  ops
    .split(/\s+/)
    .filter((s) => s !== '')
    .map((o) => [o, why]);

/** Ops known to reach files, the network or Python, and what each does: named in findings. */
export const KNOWN_UNSAFE_OPS: ReadonlyMap<string, string> = new Map([
  ...say('PyFunc PyFuncStateless EagerPyFunc', 'runs a Python function of the process that loads the model'),
  ...say('ReadFile', 'reads a file'),
  ...say('WriteFile', 'writes a file'),
  ...say('MatchingFiles', 'lists files matching a pattern'),
  ...say('FileSystemSetConfiguration', 'reconfigures a file system'),
  ...say('ImmutableConst', 'maps a file into memory'),
  ...say('Save SaveSlices', 'writes a checkpoint file'),
  // SaveV2, RestoreV2 and MergeV2Checkpoints are judged by where their paths come from (CHECKPOINT_OPS)
  ...say('Restore RestoreSlice', 'reads or writes checkpoint files'),
  ...say('InitializeTableFromTextFile InitializeTableFromTextFileV2', 'reads a lookup table from a file'),
  ...say('LoadAndRemapMatrix GenerateVocabRemapping Skipgram', 'reads a file named in the graph'),
  ...say(
    'WholeFileReader WholeFileReaderV2 TextLineReader TextLineReaderV2 TFRecordReader TFRecordReaderV2 FixedLengthRecordReader FixedLengthRecordReaderV2 LMDBReader ReaderReadV2 ReaderRead',
    'reads files through a queue reader',
  ),
  ...say(
    'TFRecordDataset TFRecordDatasetV2 TextLineDataset FixedLengthRecordDataset FixedLengthRecordDatasetV2 CSVDataset CSVDatasetV2 ExperimentalCSVDataset LMDBDataset ExperimentalLMDBDataset LoadDataset SnapshotDataset SnapshotDatasetV2 SnapshotDatasetReader',
    'reads files as a dataset',
  ),
  ...say('SqlDataset ExperimentalSqlDataset', 'opens a database file'),
  ...say(
    'SaveDataset SaveDatasetV2 DatasetToTFRecord ExperimentalDatasetToTFRecord DistributedSave',
    'writes files',
  ),
  ...say(
    'CreateSummaryFileWriter CreateSummaryDbWriter WriteSummary WriteScalarSummary WriteHistogramSummary WriteImageSummary WriteAudioSummary WriteGraphSummary WriteRawProtoSummary ImportEvent FlushSummaryWriter',
    'writes summary files',
  ),
  ...say('DecodeProtoV2 EncodeProto', 'can load a protobuf descriptor from a file'),
  ...say('PrintV2', 'prints to a stream the graph names, which can be a file'),
  ...say(
    'DebugIdentity DebugIdentityV2 DebugIdentityV3 DebugNanCount DebugNumericSummary DebugNumericSummaryV2 Copy CopyHost',
    'sends tensors to debug URLs (files or gRPC)',
  ),
  ...say(
    'DataServiceDataset DataServiceDatasetV2 DataServiceDatasetV3 DataServiceDatasetV4 RegisterDataset RegisterDatasetV2',
    'talks to a tf.data service over the network',
  ),
  ...say('RpcServer RpcClient RpcCall RpcServerStart RpcServerRegister Rpc TryRpc', 'makes network calls'),
  ...say(
    'CollectiveReduce CollectiveReduceV2 CollectiveReduceV3 CollectiveGather CollectiveGatherV2 CollectiveBcastSend CollectiveBcastRecv CollectiveBcastSendV2 CollectiveBcastRecvV2 CollectiveAllToAllV2 CollectiveAllToAllV3 _Send _Recv _HostSend _HostRecv',
    'exchanges tensors with other processes',
  ),
  ...say(
    'DatasetFromGraph DeserializeIterator',
    'builds a dataset from a serialized graph held in a tensor, whose ops (a WriteFile, say) the graph does not show',
  ),
  ...say(
    'XlaCallModule XlaHostCompute XlaSendToHost XlaRecvFromHost _XlaHostComputeMlir',
    'runs an embedded XLA module or host computation, which can call back into Python',
  ),
  ...say('GcsConfigureCredentials GcsConfigureBlockCache BigQueryReader', 'configures cloud storage access'),
]);
