import type { TypedArray } from '../../dtype.js';
import { float64Scratch } from './float64-scratch.js';

/**
 * Batch normalization of a `rows×cols` matrix by given column statistics, then the columns' affine
 * map: `out[r,c] = gamma[c] · (x[r,c] − mean[c]) / √(variance[c] + ε) + beta[c]`. Training passes
 * the batch's own moments ({@link columnMoments}), evaluation the moving ones. Each column's
 * `gamma / √(variance + ε)` is formed once in float64, and each element is evaluated in float64
 * and rounded once, `x − mean` first (no cancellation against a large mean). `out` may be `x`.
 *
 * @example
 * ```ts
 * import { batchNorm } from '@gradstream/tensor';
 * const out = new Float64Array(2);
 * batchNorm(new Float64Array([1, 3]), new Float64Array([2]), new Float64Array([1]), new Float64Array([2]), new Float64Array([5]), out, 2, 1, 0);
 * // out = [3, 7]
 * ```
 */
export function batchNorm(
  x: TypedArray,
  mean: TypedArray,
  variance: TypedArray,
  gamma: TypedArray,
  beta: TypedArray,
  out: TypedArray,
  rows: number,
  cols: number,
  epsilon: number,
): void {
  const scale = float64Scratch(cols);
  for (let c = 0; c < cols; c++) scale[c] = (gamma[c] as number) / Math.sqrt((variance[c] as number) + epsilon);
  for (let o = 0; o < rows * cols; o += cols) {
    for (let c = 0; c < cols; c++) out[o + c] = ((x[o + c] as number) - (mean[c] as number)) * (scale[c] as number) + (beta[c] as number);
  }
}

/**
 * The training gradient of {@link batchNorm}, where `mean` and `variance` are the columns' own
 * moments and so depend on `x` too. With `s = 1/√(variance + ε)`, `x̂ = (x − mean)·s` and `N = rows`:
 * `dbeta[c] = Σ_r dy`, `dgamma[c] = Σ_r dy · x̂`, and (unless `dx` is undefined, when nobody needs
 * it) `dx = gamma · s · (dy − dbeta/N − x̂ · dgamma/N)`. Two passes; the column sums are carried in
 * float64 and `dx` is formed from them before any rounding. With one row the variance is 0, `x̂` is
 * 0 and `dx` is 0: the output is `beta` whatever `x` is. `dx` may be `dy`.
 *
 * @example
 * ```ts
 * import { batchNormBackward } from '@gradstream/tensor';
 * const dx = new Float64Array(2), dgamma = new Float64Array(1), dbeta = new Float64Array(1);
 * batchNormBackward(new Float64Array([1, 3]), new Float64Array([2]), new Float64Array([1]), new Float64Array([1]),
 *   new Float64Array([1, 0]), dx, dgamma, dbeta, 2, 1, 0);
 * // dbeta = [1], dgamma = [-1], dx = [0, 0]
 * ```
 */
export function batchNormBackward(
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
): void {
  // Per column, in four rows of the scratch: s, Σ dy, Σ dy·x̂, and γ·s once the sums are done.
  const acc = float64Scratch(4 * cols);
  const sum = cols;
  const dot = 2 * cols;
  const gs = 3 * cols;
  for (let c = 0; c < cols; c++) {
    acc[c] = 1 / Math.sqrt((variance[c] as number) + epsilon);
    acc[sum + c] = 0;
    acc[dot + c] = 0;
  }
  for (let o = 0; o < rows * cols; o += cols) {
    for (let c = 0; c < cols; c++) {
      const g = dy[o + c] as number;
      acc[sum + c] = (acc[sum + c] as number) + g;
      acc[dot + c] = (acc[dot + c] as number) + g * ((x[o + c] as number) - (mean[c] as number)) * (acc[c] as number);
    }
  }
  for (let c = 0; c < cols; c++) {
    dbeta[c] = acc[sum + c] as number;
    dgamma[c] = acc[dot + c] as number;
  }
  if (dx === undefined) return;
  const n = rows || 1;
  for (let c = 0; c < cols; c++) {
    acc[gs + c] = (gamma[c] as number) * (acc[c] as number);
    acc[sum + c] = (acc[sum + c] as number) / n;
    acc[dot + c] = (acc[dot + c] as number) / n;
  }
  for (let o = 0; o < rows * cols; o += cols) {
    for (let c = 0; c < cols; c++) {
      const xhat = ((x[o + c] as number) - (mean[c] as number)) * (acc[c] as number);
      dx[o + c] = (acc[gs + c] as number) * ((dy[o + c] as number) - (acc[sum + c] as number) - xhat * (acc[dot + c] as number));
    }
  }
}
