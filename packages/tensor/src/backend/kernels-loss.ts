import type { TypedArray } from '../dtype.js';

/**
 * The kernels of the losses beyond MSE and softmax cross-entropy: part of the {@link Kernels} contract every backend implements.
 *
 * Each reduces like `mse`: the sum of the per-element terms over all `pred.length` elements,
 * divided by `rows` (0 counts as 1), so a loss is summed over a row's last axis and averaged over
 * the rows. Each backward writes `(dLoss[0] / rows)` times the per-element derivative.
 *
 * @example
 * ```ts
 * import { tsBackend, type LossKernels } from '@gradstream/tensor';
 * const k: LossKernels = tsBackend;
 * const loss = new Float32Array(1);
 * k.mae(new Float32Array([1, -2]), new Float32Array([0, 0]), loss, 1); // loss = [3]
 * ```
 */
export interface LossKernels {
  /** `loss[0] = Σ (max(z, 0) − z·y + log1p(e^(−|z|))) / rows`: binary cross-entropy of sigmoid(logits) against `target`. */
  sigmoidCrossEntropy(logits: TypedArray, target: TypedArray, loss: TypedArray, rows: number): void;
  /** `dLogits = (dLoss[0] / rows) · (σ(z) − y)`. */
  sigmoidCrossEntropyBackward(logits: TypedArray, target: TypedArray, dLoss: TypedArray, dLogits: TypedArray, rows: number): void;
  /** `loss[0] = Σ |pred − target| / rows`. */
  mae(pred: TypedArray, target: TypedArray, loss: TypedArray, rows: number): void;
  /** `dPred = (dLoss[0] / rows) · sign(pred − target)`, 0 where they are equal (NaN stays NaN). */
  maeBackward(pred: TypedArray, target: TypedArray, dLoss: TypedArray, dPred: TypedArray, rows: number): void;
  /** `loss[0] = Σ h(pred − target) / rows`, `h(d) = ½d²` for `|d| ≤ delta`, else `delta·(|d| − ½delta)`. */
  huber(pred: TypedArray, target: TypedArray, loss: TypedArray, rows: number, delta: number): void;
  /** `dPred = (dLoss[0] / rows) · clamp(pred − target, −delta, delta)`. */
  huberBackward(pred: TypedArray, target: TypedArray, dLoss: TypedArray, dPred: TypedArray, rows: number, delta: number): void;
}

/**
 * The names of the {@link LossKernels}, once each.
 *
 * @example
 * ```ts
 * import { LOSS_KERNEL_NAMES } from '@gradstream/tensor';
 * LOSS_KERNEL_NAMES.includes('huber'); // true
 * ```
 */
export const LOSS_KERNEL_NAMES = Object.freeze([
  'sigmoidCrossEntropy',
  'sigmoidCrossEntropyBackward',
  'mae',
  'maeBackward',
  'huber',
  'huberBackward',
] as const satisfies readonly (keyof LossKernels)[]);
