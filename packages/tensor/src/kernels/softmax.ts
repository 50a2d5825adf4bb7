import type { TypedArray } from '../dtype.js';

/**
 * Softmax of each row of a `rows×cols` matrix: `out[r, j] = e^(x[r, j] − m) / Σ_k e^(x[r, k] − m)`
 * with `m` the row's maximum, so no exponential overflows. `out` may be `x`.
 *
 * @example
 * ```ts
 * import { softmaxRows } from '@gradstream/tensor';
 * const out = new Float64Array(3);
 * softmaxRows(new Float64Array([0, 0, Math.LN2]), out, 1, 3); // out = [0.25, 0.25, 0.5]
 * ```
 */
export function softmaxRows(x: TypedArray, out: TypedArray, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    const inv = 1 / expShiftedRow(x, out, o, cols, rowMax(x, o, cols));
    for (let c = 0; c < cols; c++) out[o + c] = (out[o + c] as number) * inv;
  }
}

/**
 * Softmax backward per row from its saved output: `dx[r, j] = y[r, j] · (dy[r, j] − Σ_k dy[r, k] · y[r, k])`.
 * `dx` may be `dy`.
 *
 * @example
 * ```ts
 * import { softmaxRowsBackward } from '@gradstream/tensor';
 * const dx = new Float64Array(3);
 * softmaxRowsBackward(new Float64Array([0.25, 0.25, 0.5]), new Float64Array([1, 0, 0]), dx, 1, 3);
 * // dx = [0.1875, -0.0625, -0.125]
 * ```
 */
export function softmaxRowsBackward(y: TypedArray, dy: TypedArray, dx: TypedArray, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let s = 0;
    for (let c = 0; c < cols; c++) s += (dy[o + c] as number) * (y[o + c] as number);
    for (let c = 0; c < cols; c++) dx[o + c] = (y[o + c] as number) * ((dy[o + c] as number) - s);
  }
}

/**
 * Softmax cross-entropy of `rows×cols` logits against target rows, fused and numerically stable:
 * writes `loss[0] = (1/rows) · Σ_r −Σ_j target[r, j] · log softmax(logits)[r, j]` and the softmax
 * probabilities into `probs` for the backward pass. The log-probabilities come from log-sum-exp
 * with the row maximum subtracted, so logits of ±1000 give a finite loss. `probs` must be a buffer
 * of its own (not `logits`).
 *
 * @example
 * ```ts
 * import { softmaxCrossEntropy } from '@gradstream/tensor';
 * const probs = new Float64Array(2), loss = new Float64Array(1);
 * softmaxCrossEntropy(new Float64Array([1000, -1000]), new Float64Array([0, 1]), probs, loss, 1, 2); // loss = [2000]
 * ```
 */
export function softmaxCrossEntropy(logits: TypedArray, target: TypedArray, probs: TypedArray, loss: TypedArray, rows: number, cols: number): void {
  let total = 0;
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    const m = rowMax(logits, o, cols);
    const s = expShiftedRow(logits, probs, o, cols, m);
    // −log p_j = m + log s − z_j: no exponential of a large logit is ever formed.
    const shift = m + Math.log(s);
    const inv = 1 / s;
    let row = 0;
    for (let c = 0; c < cols; c++) {
      const t = target[o + c] as number;
      // A zero target weight contributes nothing, even where the probability underflowed to 0.
      if (t !== 0) row += t * (shift - (logits[o + c] as number));
      probs[o + c] = (probs[o + c] as number) * inv;
    }
    total += row;
  }
  loss[0] = total / (rows || 1);
}

/**
 * Backward of {@link softmaxCrossEntropy} from the saved probabilities and the loss's incoming
 * gradient `dLoss[0]`: `dx[r, j] = (dLoss[0] / rows) · (probs[r, j] · Σ_k target[r, k] − target[r, j])`,
 * which is `(dLoss/rows) · (probs − target)` for target rows that sum to 1.
 *
 * @example
 * ```ts
 * import { softmaxCrossEntropyBackward } from '@gradstream/tensor';
 * const dx = new Float64Array(2);
 * softmaxCrossEntropyBackward(new Float64Array([0.75, 0.25]), new Float64Array([0, 1]), new Float64Array([1]), dx, 1, 2);
 * // dx = [0.75, -0.75]
 * ```
 */
export function softmaxCrossEntropyBackward(probs: TypedArray, target: TypedArray, dLoss: TypedArray, dx: TypedArray, rows: number, cols: number): void {
  const scale = (dLoss[0] as number) / (rows || 1);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let mass = 0;
    for (let c = 0; c < cols; c++) mass += target[o + c] as number;
    for (let c = 0; c < cols; c++) dx[o + c] = scale * ((probs[o + c] as number) * mass - (target[o + c] as number));
  }
}

function rowMax(x: TypedArray, o: number, cols: number): number {
  let m = -Infinity;
  for (let c = 0; c < cols; c++) if ((x[o + c] as number) > m) m = x[o + c] as number;
  return m;
}

/* Writes e^(x − m) of one row into out and returns their sum; with m the row maximum every term is ≤ 1. */
function expShiftedRow(x: TypedArray, out: TypedArray, o: number, cols: number, m: number): number {
  let s = 0;
  for (let c = 0; c < cols; c++) {
    const e = Math.exp((x[o + c] as number) - m);
    out[o + c] = e;
    s += e;
  }
  return s;
}
