import type { TypedArray } from '../dtype.js';

/**
 * The kernels of batch and layer normalization: part of the {@link Kernels} contract every backend
 * implements. Matrices are `rows×cols`, row-major; batch normalization works per column (a feature,
 * or an NHWC image's channel, over every other axis), layer normalization per row. Sums over many
 * elements are carried in float64 and rounded once, whatever the buffers' type.
 *
 * @example
 * ```ts
 * import { tsBackend, type NormKernels } from '@gradstream/tensor';
 * const k: NormKernels = tsBackend;
 * ```
 */
export interface NormKernels {
  /** Each column's mean and biased variance (`Σ (x − mean)² / rows`), two passes in float64. */
  columnMoments(x: TypedArray, mean: TypedArray, variance: TypedArray, rows: number, cols: number): void;
  /** `average = momentum · average + (1 − momentum) · value`, elementwise. */
  movingAverage(average: TypedArray, value: TypedArray, momentum: number): void;
  /** `out[r,c] = gamma[c] · (x[r,c] − mean[c]) / √(variance[c] + ε) + beta[c]`; `out` may be `x`. */
  batchNorm(x: TypedArray, mean: TypedArray, variance: TypedArray, gamma: TypedArray, beta: TypedArray, out: TypedArray, rows: number, cols: number, epsilon: number): void;
  /**
   * The gradient of {@link NormKernels.batchNorm} when `mean` and `variance` are the columns'
   * own moments (training): `dbeta`, `dgamma` and, unless `dx` is undefined, `dx`.
   */
  batchNormBackward(
    x: TypedArray,
    mean: TypedArray,
    variance: TypedArray,
    gamma: TypedArray,
    dy: TypedArray,
    dx: TypedArray | undefined,
    dgamma: TypedArray,
    dbeta: TypedArray,
    rows: number,
    cols: number,
    epsilon: number,
  ): void;
  /** Each row normalized over its columns, then `gamma[c] · x̂ + beta[c]`; the row's mean and `1/√(variance + ε)` kept for backward. */
  layerNorm(x: TypedArray, gamma: TypedArray, beta: TypedArray, out: TypedArray, mean: TypedArray, invStd: TypedArray, rows: number, cols: number, epsilon: number): void;
  /** The gradient of {@link NormKernels.layerNorm} from its saved `mean` and `invStd`: `dgamma`, `dbeta` and, unless `dx` is undefined, `dx`. */
  layerNormBackward(
    x: TypedArray,
    mean: TypedArray,
    invStd: TypedArray,
    gamma: TypedArray,
    dy: TypedArray,
    dx: TypedArray | undefined,
    dgamma: TypedArray,
    dbeta: TypedArray,
    rows: number,
    cols: number,
  ): void;
}

/**
 * The names of the {@link NormKernels}, once each.
 *
 * @example
 * ```ts
 * import { NORM_KERNEL_NAMES } from '@gradstream/tensor';
 * console.log(NORM_KERNEL_NAMES.length); // 6
 * ```
 */
export const NORM_KERNEL_NAMES = Object.freeze([
  'columnMoments',
  'movingAverage',
  'batchNorm',
  'batchNormBackward',
  'layerNorm',
  'layerNormBackward',
] as const satisfies readonly (keyof NormKernels)[]);
