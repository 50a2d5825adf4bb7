/*
 * The TypeScript reference kernels of the losses beyond MSE and softmax cross-entropy. Like mse,
 * each works in float64 whatever the buffers hold (a float32 element is promoted exactly), sums
 * over every element and divides by the number of rows once, and rounds only when it stores.
 */
import type { LossKernels } from '../backend/kernels-loss.js';
import type { TypedArray } from '../dtype.js';

/**
 * Binary cross-entropy on logits, summed and divided by `rows`:
 * `loss[0] = Σ_i (max(z_i, 0) − z_i·y_i + log1p(e^(−|z_i|))) / rows`, which equals
 * `−y·log σ(z) − (1 − y)·log(1 − σ(z))` without ever forming σ(z), so no exponential overflows.
 *
 * @example
 * ```ts
 * import { LOSS_TS_KERNELS } from '@gradstream/tensor';
 * const loss = new Float64Array(1);
 * LOSS_TS_KERNELS.sigmoidCrossEntropy(new Float64Array([0]), new Float64Array([1]), loss, 1); // loss = [Math.LN2]
 * ```
 */
export function sigmoidCrossEntropy(logits: TypedArray, target: TypedArray, loss: TypedArray, rows: number): void {
  const n = logits.length;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const z = logits[i] as number;
    s += Math.max(z, 0) - z * (target[i] as number) + Math.log1p(Math.exp(-Math.abs(z)));
  }
  loss[0] = s / (rows || 1);
}

/**
 * Backward of {@link sigmoidCrossEntropy}: `dLogits[i] = (dLoss[0] / rows) · (σ(z_i) − y_i)`, with
 * σ written so its exponential never overflows.
 *
 * @example
 * ```ts
 * import { LOSS_TS_KERNELS } from '@gradstream/tensor';
 * const d = new Float64Array(1);
 * LOSS_TS_KERNELS.sigmoidCrossEntropyBackward(new Float64Array([0]), new Float64Array([1]), new Float64Array([1]), d, 1); // d = [-0.5]
 * ```
 */
export function sigmoidCrossEntropyBackward(logits: TypedArray, target: TypedArray, dLoss: TypedArray, dLogits: TypedArray, rows: number): void {
  const k = (dLoss[0] as number) / (rows || 1);
  const n = dLogits.length;
  for (let i = 0; i < n; i++) {
    const z = logits[i] as number;
    const t = Math.exp(-Math.abs(z));
    const sigma = z >= 0 ? 1 / (1 + t) : t / (1 + t);
    dLogits[i] = k * (sigma - (target[i] as number));
  }
}

/**
 * Mean absolute error in gradstream's reduction: `loss[0] = Σ_i |pred_i − target_i| / rows`.
 *
 * @example
 * ```ts
 * import { LOSS_TS_KERNELS } from '@gradstream/tensor';
 * const loss = new Float64Array(1);
 * LOSS_TS_KERNELS.mae(new Float64Array([1, -2]), new Float64Array([0, 0]), loss, 1); // loss = [3]
 * ```
 */
export function mae(pred: TypedArray, target: TypedArray, loss: TypedArray, rows: number): void {
  const n = pred.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.abs((pred[i] as number) - (target[i] as number));
  loss[0] = s / (rows || 1);
}

/**
 * Backward of {@link mae}: `dPred[i] = ±dLoss[0] / rows` by the sign of `pred − target`, and +0
 * where they are equal (the subgradient 0, as PyTorch's L1Loss); a NaN on either side gives NaN.
 *
 * @example
 * ```ts
 * import { LOSS_TS_KERNELS } from '@gradstream/tensor';
 * const d = new Float64Array(3);
 * LOSS_TS_KERNELS.maeBackward(new Float64Array([1, -2, 0]), new Float64Array([0, 0, 0]), new Float64Array([1]), d, 1); // d = [1, -1, 0]
 * ```
 */
export function maeBackward(pred: TypedArray, target: TypedArray, dLoss: TypedArray, dPred: TypedArray, rows: number): void {
  const k = (dLoss[0] as number) / (rows || 1);
  const n = dPred.length;
  for (let i = 0; i < n; i++) {
    // Compared, not subtracted: equal infinities are equal (their difference would be NaN).
    const p = pred[i] as number;
    const t = target[i] as number;
    dPred[i] = p > t ? k : p < t ? -k : p === t ? 0 : Number.NaN;
  }
}

/**
 * Huber loss: `loss[0] = Σ_i h(pred_i − target_i) / rows` with `h(d) = ½d²` for `|d| ≤ delta`
 * and `delta·(|d| − ½delta)` beyond, quadratic near 0 and linear in the tails.
 *
 * @example
 * ```ts
 * import { LOSS_TS_KERNELS } from '@gradstream/tensor';
 * const loss = new Float64Array(1);
 * LOSS_TS_KERNELS.huber(new Float64Array([0.5, 3]), new Float64Array([0, 0]), loss, 1, 1); // loss = [0.125 + 2.5]
 * ```
 */
export function huber(pred: TypedArray, target: TypedArray, loss: TypedArray, rows: number, delta: number): void {
  const n = pred.length;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const d = (pred[i] as number) - (target[i] as number);
    const a = Math.abs(d);
    s += a <= delta ? 0.5 * d * d : delta * (a - 0.5 * delta);
  }
  loss[0] = s / (rows || 1);
}

/**
 * Backward of {@link huber}: `dPred[i] = (dLoss[0] / rows) · clamp(pred_i − target_i, −delta, delta)`.
 *
 * @example
 * ```ts
 * import { LOSS_TS_KERNELS } from '@gradstream/tensor';
 * const d = new Float64Array(2);
 * LOSS_TS_KERNELS.huberBackward(new Float64Array([0.5, 3]), new Float64Array([0, 0]), new Float64Array([1]), d, 1, 1); // d = [0.5, 1]
 * ```
 */
export function huberBackward(pred: TypedArray, target: TypedArray, dLoss: TypedArray, dPred: TypedArray, rows: number, delta: number): void {
  const k = (dLoss[0] as number) / (rows || 1);
  const n = dPred.length;
  for (let i = 0; i < n; i++) {
    const d = (pred[i] as number) - (target[i] as number);
    dPred[i] = k * (d > delta ? delta : d < -delta ? -delta : d);
  }
}

/**
 * The TypeScript reference implementations of the {@link LossKernels}, spread into `tsBackend`.
 *
 * @example
 * ```ts
 * import { LOSS_TS_KERNELS } from '@gradstream/tensor';
 * const loss = new Float32Array(1);
 * LOSS_TS_KERNELS.huber(new Float32Array([2]), new Float32Array([0]), loss, 1, 1); // loss = [1.5]
 * ```
 */
export const LOSS_TS_KERNELS: LossKernels = { sigmoidCrossEntropy, sigmoidCrossEntropyBackward, mae, maeBackward, huber, huberBackward };
