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
  /** See {@link matmul}. */
  readonly matmul: typeof matmul;
  /** See {@link add}. */
  readonly add: typeof add;
  /** See {@link sub}. */
  readonly sub: typeof sub;
  /** See {@link mul}. */
  readonly mul: typeof mul;
  /** See {@link scale}. */
  readonly scale: typeof scale;
  /** See {@link axpy}. */
  readonly axpy: typeof axpy;
  /** See {@link map}. */
  readonly map: typeof map;
  /** See {@link zip}. */
  readonly zip: typeof zip;
  /** See {@link addRowBroadcast}. */
  readonly addRowBroadcast: typeof addRowBroadcast;
  /** See {@link sumRows}. */
  readonly sumRows: typeof sumRows;
  /** See {@link sumCols}. */
  readonly sumCols: typeof sumCols;
  /** See {@link sum}. */
  readonly sum: typeof sum;
  /** See {@link sumSquares}. */
  readonly sumSquares: typeof sumSquares;
  /** See {@link dot}. */
  readonly dot: typeof dot;
  /** See {@link firstNonFinite}. */
  readonly firstNonFinite: typeof firstNonFinite;
  /** See {@link biasActivation}. */
  readonly biasActivation: typeof biasActivation;
  /** See {@link activationBiasBackward}. */
  readonly activationBiasBackward: typeof activationBiasBackward;
  /** See {@link sigmoid}. */
  readonly sigmoid: typeof sigmoid;
  /** See {@link sigmoidBackward}. */
  readonly sigmoidBackward: typeof sigmoidBackward;
  /** See {@link relu}. */
  readonly relu: typeof relu;
  /** See {@link reluBackward}. */
  readonly reluBackward: typeof reluBackward;
  /** See {@link leakyRelu}. */
  readonly leakyRelu: typeof leakyRelu;
  /** See {@link leakyReluBackward}. */
  readonly leakyReluBackward: typeof leakyReluBackward;
  /** See {@link tanh}. */
  readonly tanh: typeof tanh;
  /** See {@link tanhBackward}. */
  readonly tanhBackward: typeof tanhBackward;
  /** See {@link softmaxRows}. */
  readonly softmaxRows: typeof softmaxRows;
  /** See {@link softmaxRowsBackward}. */
  readonly softmaxRowsBackward: typeof softmaxRowsBackward;
  /** See {@link softmaxCrossEntropyRows}. */
  readonly softmaxCrossEntropyRows: typeof softmaxCrossEntropyRows;
  /** See {@link softmaxCrossEntropyRowsBackward}. */
  readonly softmaxCrossEntropyRowsBackward: typeof softmaxCrossEntropyRowsBackward;
  /** See {@link dropoutMask}. */
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
