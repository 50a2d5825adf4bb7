/**
 * Tensors, kernels, seeded randomness and initializers: the bottom layer of gradstream.
 * Knows nothing of streams or graphs.
 *
 * @packageDocumentation
 */
export { GradstreamError, type ErrorCode } from './errors.js';
export { allocate, dtypeOf, type DType, type TypedArray } from './dtype.js';
export { assertShape, checkShape, formatShape, shapesEqual, sizeOf, type Shape } from './shape.js';
export { Tensor, type NestedArray } from './tensor.js';
export { Rng } from './rng.js';
export { initialize, initSpecSchema, type InitSpec } from './initializers.js';
export { matmul } from './kernels/matmul.js';
export { add, addRowBroadcast, axpy, map, mul, scale, sub, zip } from './kernels/elementwise.js';
export { dot, firstNonFinite, sum, sumCols, sumRows, sumSquares } from './kernels/reduce.js';
export {
  dropoutMask,
  leakyRelu,
  leakyReluBackward,
  relu,
  reluBackward,
  sigmoid,
  sigmoidBackward,
  softmaxCrossEntropyRows,
  softmaxCrossEntropyRowsBackward,
  softmaxRows,
  softmaxRowsBackward,
  tanh,
  tanhBackward,
} from './kernels/activation.js';
export { ACTIVATIONS, activationBiasBackward, biasActivation, type ActivationName } from './kernels/fused.js';
export { cpuBackend, type Backend } from './backend.js';
export { INLINE_MATMUL_MAX, kernelSource } from './kernels/source.js';
