import type { TypedArray } from '../../dtype.js';
import { float64Scratch } from './float64-scratch.js';

/**
 * Each column's mean and biased variance over the rows of a `rows×cols` matrix:
 * `mean[c] = Σ_r x[r,c] / rows`, `variance[c] = Σ_r (x[r,c] − mean[c])² / rows`. Two passes, the
 * sums carried in float64 and rounded once: the second pass subtracts the float64 mean, so a
 * column whose values sit far from zero loses nothing to cancellation (as `E[x²] − E[x]²` would).
 * Batch normalization's statistics over every axis but the last (rows = batch · height · width).
 * `mean` and `variance` must not overlap `x`.
 *
 * @example
 * ```ts
 * import { columnMoments } from '@gradstream/tensor';
 * const mean = new Float64Array(2), variance = new Float64Array(2);
 * columnMoments(new Float64Array([1, 10, 3, 10]), mean, variance, 2, 2); // mean = [2, 10], variance = [1, 0]
 * ```
 */
export function columnMoments(x: TypedArray, mean: TypedArray, variance: TypedArray, rows: number, cols: number): void {
  const acc = float64Scratch(2 * cols);
  acc.fill(0, 0, 2 * cols);
  for (let o = 0; o < rows * cols; o += cols) {
    for (let c = 0; c < cols; c++) acc[c] = (acc[c] as number) + (x[o + c] as number);
  }
  const n = rows || 1;
  for (let c = 0; c < cols; c++) acc[c] = (acc[c] as number) / n;
  for (let o = 0; o < rows * cols; o += cols) {
    for (let c = 0; c < cols; c++) {
      const d = (x[o + c] as number) - (acc[c] as number);
      acc[cols + c] = (acc[cols + c] as number) + d * d;
    }
  }
  for (let c = 0; c < cols; c++) {
    mean[c] = acc[c] as number;
    variance[c] = (acc[cols + c] as number) / n;
  }
}
