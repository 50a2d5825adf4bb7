import type { TypedArray } from '../dtype.js';
import type { Rng } from '../rng.js';

/**
 * Logistic sigmoid `out[i] = 1 / (1 + e^(−x[i]))`, computed without overflow for large |x|.
 *
 * @example
 * ```ts
 * import { sigmoid } from '@gradstream/tensor';
 * const out = new Float64Array(1);
 * sigmoid(new Float64Array([0]), out); // out = [0.5]
 * ```
 */
export function sigmoid(x: TypedArray, out: TypedArray): void {
  for (let i = 0; i < out.length; i++) {
    const v = x[i] as number;
    if (v >= 0) {
      out[i] = 1 / (1 + Math.exp(-v));
    } else {
      const e = Math.exp(v);
      out[i] = e / (1 + e);
    }
  }
}

/**
 * Sigmoid backward from its saved output: `dx[i] = dy[i] · y[i] · (1 − y[i])`.
 *
 * @example
 * ```ts
 * import { sigmoidBackward } from '@gradstream/tensor';
 * const dx = new Float64Array(1);
 * sigmoidBackward(new Float64Array([0.5]), new Float64Array([1]), dx); // dx = [0.25]
 * ```
 */
export function sigmoidBackward(y: TypedArray, dy: TypedArray, dx: TypedArray): void {
  for (let i = 0; i < dx.length; i++) {
    const s = y[i] as number;
    dx[i] = (dy[i] as number) * s * (1 - s);
  }
}

/**
 * Rectified linear unit `out[i] = max(0, x[i])`. A NaN stays NaN, so divergence is not hidden.
 *
 * @example
 * ```ts
 * import { relu } from '@gradstream/tensor';
 * const out = new Float64Array(2);
 * relu(new Float64Array([-2, 3]), out); // out = [0, 3]
 * ```
 */
export function relu(x: TypedArray, out: TypedArray): void {
  for (let i = 0; i < out.length; i++) {
    const v = x[i] as number;
    out[i] = v < 0 ? 0 : v;
  }
}

/**
 * ReLU backward: `dx[i] = dy[i]` where `v[i] > 0`, else 0 (the derivative at 0 is taken as 0).
 * `v` may be the saved input or the saved output: both are positive at the same places.
 *
 * @example
 * ```ts
 * import { reluBackward } from '@gradstream/tensor';
 * const dx = new Float64Array(3);
 * reluBackward(new Float64Array([-1, 0, 2]), new Float64Array([5, 5, 5]), dx); // dx = [0, 0, 5]
 * ```
 */
export function reluBackward(v: TypedArray, dy: TypedArray, dx: TypedArray): void {
  for (let i = 0; i < dx.length; i++) dx[i] = (v[i] as number) > 0 ? (dy[i] as number) : 0;
}

/**
 * Leaky ReLU `out[i] = x[i]` for `x[i] > 0`, else `alpha · x[i]`.
 *
 * @example
 * ```ts
 * import { leakyRelu } from '@gradstream/tensor';
 * const out = new Float64Array(2);
 * leakyRelu(new Float64Array([-2, 3]), 0.1, out); // out = [-0.2, 3]
 * ```
 */
export function leakyRelu(x: TypedArray, alpha: number, out: TypedArray): void {
  for (let i = 0; i < out.length; i++) {
    const v = x[i] as number;
    out[i] = v > 0 ? v : alpha * v;
  }
}

/**
 * Leaky ReLU backward from the saved input: `dx[i] = dy[i]` where `x[i] > 0`, else `alpha · dy[i]`.
 *
 * @example
 * ```ts
 * import { leakyReluBackward } from '@gradstream/tensor';
 * const dx = new Float64Array(2);
 * leakyReluBackward(new Float64Array([-1, 2]), 0.1, new Float64Array([3, 3]), dx); // dx ≈ [0.3, 3]
 * ```
 */
export function leakyReluBackward(x: TypedArray, alpha: number, dy: TypedArray, dx: TypedArray): void {
  for (let i = 0; i < dx.length; i++) {
    const g = dy[i] as number;
    dx[i] = (x[i] as number) > 0 ? g : alpha * g;
  }
}

/**
 * Hyperbolic tangent `out[i] = tanh(x[i])`, elementwise.
 *
 * @example
 * ```ts
 * import { tanh } from '@gradstream/tensor';
 * const out = new Float64Array(1);
 * tanh(new Float64Array([0.5]), out); // out ≈ [0.46211715726]
 * ```
 */
export function tanh(x: TypedArray, out: TypedArray): void {
  for (let i = 0; i < out.length; i++) out[i] = Math.tanh(x[i] as number);
}

/**
 * Tanh backward from its saved output: `dx[i] = dy[i] · (1 − y[i]²)`.
 *
 * @example
 * ```ts
 * import { tanhBackward } from '@gradstream/tensor';
 * const dx = new Float64Array(1);
 * tanhBackward(new Float64Array([0.5]), new Float64Array([2]), dx); // dx = [1.5]
 * ```
 */
export function tanhBackward(y: TypedArray, dy: TypedArray, dx: TypedArray): void {
  for (let i = 0; i < dx.length; i++) {
    const t = y[i] as number;
    dx[i] = (dy[i] as number) * (1 - t * t);
  }
}

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
 * Softmax cross-entropy of each row of `rows×cols` logits against target rows, fused and
 * numerically stable: returns `Σ_r −Σ_j target[r, j] · log softmax(logits)[r, j]` (the sum over
 * rows, not the mean) and writes the softmax probabilities into `probs` for the backward pass.
 * The log-probabilities come from log-sum-exp with the row maximum subtracted, so logits of
 * ±1000 give a finite loss. `probs` must be a buffer of its own (not `logits`).
 *
 * @example
 * ```ts
 * import { softmaxCrossEntropyRows } from '@gradstream/tensor';
 * const probs = new Float64Array(2);
 * softmaxCrossEntropyRows(new Float64Array([1000, -1000]), new Float64Array([0, 1]), probs, 1, 2); // 2000
 * ```
 */
export function softmaxCrossEntropyRows(logits: TypedArray, target: TypedArray, probs: TypedArray, rows: number, cols: number): number {
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
  return total;
}

/**
 * Backward of {@link softmaxCrossEntropyRows} from the saved probabilities:
 * `dx[r, j] = scale · (probs[r, j] · Σ_k target[r, k] − target[r, j])`, which is
 * `scale · (probs − target)` for target rows that sum to 1 (one-hot or probabilities).
 *
 * @example
 * ```ts
 * import { softmaxCrossEntropyRowsBackward } from '@gradstream/tensor';
 * const dx = new Float64Array(2);
 * softmaxCrossEntropyRowsBackward(new Float64Array([0.75, 0.25]), new Float64Array([0, 1]), 0.5, dx, 1, 2);
 * // dx = [0.375, -0.375]
 * ```
 */
export function softmaxCrossEntropyRowsBackward(
  probs: TypedArray,
  target: TypedArray,
  scale: number,
  dx: TypedArray,
  rows: number,
  cols: number,
): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let mass = 0;
    for (let c = 0; c < cols; c++) mass += target[o + c] as number;
    for (let c = 0; c < cols; c++) dx[o + c] = scale * ((probs[o + c] as number) * mass - (target[o + c] as number));
  }
}

/**
 * Draws an inverted-dropout mask: each element is 0 with probability `rate`, else `1 / (1 − rate)`,
 * so `x ⊙ mask` keeps the expected value of `x`. One `rng.next()` per element, in order, so the
 * same generator state gives the same mask.
 *
 * @param rate - probability of dropping an element, in [0, 1)
 * @example
 * ```ts
 * import { Rng, dropoutMask } from '@gradstream/tensor';
 * const mask = new Float32Array(8);
 * dropoutMask(Rng.fromSeed(1), 0.5, mask); // each entry 0 or 2
 * ```
 */
export function dropoutMask(rng: Rng, rate: number, mask: TypedArray): void {
  const keep = 1 / (1 - rate);
  for (let i = 0; i < mask.length; i++) mask[i] = rng.next() < rate ? 0 : keep;
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
