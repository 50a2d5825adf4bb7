import type { TypedArray } from '../../dtype.js';
import { float64Scratch } from './float64-scratch.js';

/**
 * Layer normalization of each row of a `rows×cols` matrix over its columns, then the columns'
 * affine map: with the row's mean `m` and biased variance `v` (two passes in float64) and
 * `s = 1/√(v + ε)`, `out[r,c] = gamma[c] · (x[r,c] − m) · s + beta[c]`, each element evaluated in
 * float64 and rounded once. Writes `mean[r] = m` and `invStd[r] = s` for {@link layerNormBackward}
 * (PyTorch's LayerNorm over the last axis, which keeps the same two). `out` may be `x`.
 *
 * @example
 * ```ts
 * import { layerNorm } from '@gradstream/tensor';
 * const out = new Float64Array(2), mean = new Float64Array(1), invStd = new Float64Array(1);
 * layerNorm(new Float64Array([1, 3]), new Float64Array([1, 1]), new Float64Array([0, 0]), out, mean, invStd, 1, 2, 0);
 * // out = [-1, 1], mean = [2], invStd = [1]
 * ```
 */
export function layerNorm(
  x: TypedArray,
  gamma: TypedArray,
  beta: TypedArray,
  out: TypedArray,
  mean: TypedArray,
  invStd: TypedArray,
  rows: number,
  cols: number,
  epsilon: number,
): void {
  const n = cols || 1;
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let sum = 0;
    for (let c = 0; c < cols; c++) sum += x[o + c] as number;
    const m = sum / n;
    let squares = 0;
    for (let c = 0; c < cols; c++) {
      const d = (x[o + c] as number) - m;
      squares += d * d;
    }
    const s = 1 / Math.sqrt(squares / n + epsilon);
    mean[r] = m;
    invStd[r] = s;
    for (let c = 0; c < cols; c++) out[o + c] = ((x[o + c] as number) - m) * s * (gamma[c] as number) + (beta[c] as number);
  }
}

/**
 * The gradient of {@link layerNorm} from the `mean` and `invStd` it saved. With `x̂ = (x − mean)·invStd`
 * and `g = dy · gamma`: `dgamma[c] = Σ_r dy · x̂`, `dbeta[c] = Σ_r dy`, and (unless `dx` is
 * undefined, when nobody needs it) `dx[r,c] = invStd[r] · (g − Σ_c g / cols − x̂ · Σ_c g·x̂ / cols)`.
 * One pass over the rows; every sum carried in float64. `dx` may be `dy`.
 *
 * @example
 * ```ts
 * import { layerNormBackward } from '@gradstream/tensor';
 * const dx = new Float64Array(2), dgamma = new Float64Array(2), dbeta = new Float64Array(2);
 * layerNormBackward(new Float64Array([1, 3]), new Float64Array([2]), new Float64Array([1]), new Float64Array([1, 1]),
 *   new Float64Array([1, 0]), dx, dgamma, dbeta, 1, 2);
 * // dgamma = [-1, 0], dbeta = [1, 0], dx = [0, 0]
 * ```
 */
export function layerNormBackward(
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
): void {
  // Σ_r dy·x̂ and Σ_r dy per column.
  const acc = float64Scratch(2 * cols);
  acc.fill(0, 0, 2 * cols);
  const n = cols || 1;
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    const m = mean[r] as number;
    const s = invStd[r] as number;
    let sumG = 0;
    let sumGx = 0;
    for (let c = 0; c < cols; c++) {
      const d = dy[o + c] as number;
      const xhat = ((x[o + c] as number) - m) * s;
      const g = d * (gamma[c] as number);
      sumG += g;
      sumGx += g * xhat;
      acc[c] = (acc[c] as number) + d * xhat;
      acc[cols + c] = (acc[cols + c] as number) + d;
    }
    if (dx === undefined) continue;
    const meanG = sumG / n;
    const meanGx = sumGx / n;
    for (let c = 0; c < cols; c++) {
      const xhat = ((x[o + c] as number) - m) * s;
      dx[o + c] = s * ((dy[o + c] as number) * (gamma[c] as number) - meanG - xhat * meanGx);
    }
  }
  for (let c = 0; c < cols; c++) {
    dgamma[c] = acc[c] as number;
    dbeta[c] = acc[cols + c] as number;
  }
}
