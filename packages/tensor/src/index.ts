/**
 * Tensors, the backend contract and the TypeScript reference backend, the one definition of
 * elementwise math, seeded randomness and initializers: the bottom layer of gradstream. Knows
 * nothing of streams or graphs.
 *
 * @packageDocumentation
 * @mergeModuleWith <project>
 */
export { GradstreamError, type ErrorCode } from './errors.js';
export { allocate, dtypeOf, type DType, type TypedArray } from './dtype.js';
export { assertShape, checkShape, formatShape, shapesEqual, sizeOf, type Shape } from './shape.js';
export { Tensor, type NestedArray } from './tensor.js';
export { Rng } from './rng.js';
export { decodeBase64, encodeBase64 } from './base64.js';
export { Sha256 } from './sha256.js';
export { littleEndianBytes, readLittleEndian } from './little-endian.js';
export { initialize, initSpecSchema, type InitSpec } from './initializers.js';
export {
  expr,
  renderExpr,
  type Expr,
  type ExprDialect,
  type ExprComparison,
  type ExprCondition,
  type ExprFunction,
  type ExprOperand,
  type ExprOperator,
  type ExprScalars,
  type ExprVar,
} from './math/expr.js';
export { UNARY_NAMES, UNARY_OPS, type UnaryDefinition, type UnaryName } from './math/unary-ops.js';
export { KERNEL_NAMES, READING_KERNELS, type KernelName, type Kernels } from './backend/kernels.js';
export type { Backend, DeviceSync, KernelCall, MemoryCeiling } from './backend/backend.js';
export { IMAGE_KERNEL_NAMES, type ImageKernels } from './backend/kernels-image.js';
export { NORM_KERNEL_NAMES, type NormKernels } from './backend/kernels-norm.js';
export { SEQUENCE_KERNEL_NAMES, type SequenceKernels } from './backend/kernels-sequence.js';
export { ATTENTION_KERNEL_NAMES, type AttentionKernels } from './backend/kernels-attention.js';
export { LOSS_KERNEL_NAMES, type LossKernels } from './backend/kernels-loss.js';
export { tsBackend } from './backend/ts-backend.js';
export { backendProvider, registerBackendProvider, type BackendProvider } from './backend/providers.js';
export { ScalarSlot, SourceBindings, identifier } from './codegen/bindings.js';
export { matmul } from './kernels/matmul.js';
export {
  adamUpdate,
  add,
  addRowBroadcast,
  copy,
  fill,
  momentumUpdate,
  mse,
  mseBackward,
  mul,
  scale,
  sgdUpdate,
  sumRows,
  weightPenalty,
} from './kernels/generated.js';
export { firstNonFinite, sumSquares } from './kernels/reduce.js';
export { softmaxCrossEntropy, softmaxCrossEntropyBackward, softmaxRows, softmaxRowsBackward } from './kernels/softmax.js';
export { dropoutMask } from './kernels/dropout.js';
export { countArgmaxMatches, sumAbsDiff, sumSquaredDiff } from './kernels/metrics.js';
export { unaryKernels, type UnaryKernels } from './kernels/unary.js';
export { IMAGE_TS_KERNELS, avgPool2d, avgPool2dBackward, col2im, conv2dForward, im2col, maxPool2d, maxPool2dBackward } from './kernels/image.js';
export { NORM_TS_KERNELS, batchNorm, batchNormBackward, columnMoments, layerNorm, layerNormBackward, movingAverage } from './kernels/norm.js';
export { SEQUENCE_TS_KERNELS, copyBlocks, gatherRows, gruCell, gruCellBackward, lstmCell, lstmCellBackward, scatterAddRows } from './kernels/sequence.js';
export { ATTENTION_TS_KERNELS, batchMatmul, causalMask, transposeHeads } from './kernels/attention.js';
export { LOSS_TS_KERNELS } from './kernels/loss.js';
