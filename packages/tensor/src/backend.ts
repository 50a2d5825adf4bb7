import {
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
import { add, addRowBroadcast, axpy, map, mul, scale, sub, zip } from './kernels/elementwise.js';
import { matmul } from './kernels/matmul.js';
import { activationBiasBackward, biasActivation } from './kernels/fused.js';
import { dot, firstNonFinite, sum, sumCols, sumRows, sumSquares } from './kernels/reduce.js';

/**
 * The kernels op plugins compute with, grouped so a faster implementation (WASM SIMD, worker
 * threads) can replace the pure-TypeScript one without touching graph or ops code. Every kernel
 * writes into an `out` buffer the caller allocated; none allocates.
 *
 * @example
 * ```ts
 * import { cpuBackend, type Backend } from '@gradstream/tensor';
 * const b: Backend = cpuBackend;
 * const out = new Float32Array(2);
 * b.add(new Float32Array([1, 2]), new Float32Array([3, 4]), out);
 * ```
 */
export interface Backend {
  /** A short name for logs and benchmark tables. */
  readonly name: string;
  readonly matmul: typeof matmul;
  readonly add: typeof add;
  readonly sub: typeof sub;
  readonly mul: typeof mul;
  readonly scale: typeof scale;
  readonly axpy: typeof axpy;
  readonly map: typeof map;
  readonly zip: typeof zip;
  readonly addRowBroadcast: typeof addRowBroadcast;
  readonly sumRows: typeof sumRows;
  readonly sumCols: typeof sumCols;
  readonly sum: typeof sum;
  readonly sumSquares: typeof sumSquares;
  readonly dot: typeof dot;
  readonly firstNonFinite: typeof firstNonFinite;
  readonly biasActivation: typeof biasActivation;
  readonly activationBiasBackward: typeof activationBiasBackward;
  readonly sigmoid: typeof sigmoid;
  readonly sigmoidBackward: typeof sigmoidBackward;
  readonly relu: typeof relu;
  readonly reluBackward: typeof reluBackward;
  readonly leakyRelu: typeof leakyRelu;
  readonly leakyReluBackward: typeof leakyReluBackward;
  readonly tanh: typeof tanh;
  readonly tanhBackward: typeof tanhBackward;
  readonly softmaxRows: typeof softmaxRows;
  readonly softmaxRowsBackward: typeof softmaxRowsBackward;
  readonly softmaxCrossEntropyRows: typeof softmaxCrossEntropyRows;
  readonly softmaxCrossEntropyRowsBackward: typeof softmaxCrossEntropyRowsBackward;
  readonly dropoutMask: typeof dropoutMask;
}

/**
 * The pure-TypeScript backend, the default everywhere.
 *
 * @example
 * ```ts
 * import { cpuBackend } from '@gradstream/tensor';
 * console.log(cpuBackend.name); // 'cpu'
 * ```
 */
export const cpuBackend: Backend = Object.freeze({
  name: 'cpu',
  matmul,
  add,
  sub,
  mul,
  scale,
  axpy,
  map,
  zip,
  addRowBroadcast,
  sumRows,
  sumCols,
  sum,
  sumSquares,
  dot,
  firstNonFinite,
  sigmoid,
  sigmoidBackward,
  relu,
  reluBackward,
  leakyRelu,
  leakyReluBackward,
  tanh,
  tanhBackward,
  softmaxRows,
  softmaxRowsBackward,
  softmaxCrossEntropyRows,
  softmaxCrossEntropyRowsBackward,
  dropoutMask,
  biasActivation,
  activationBiasBackward,
});
