import { defineOp, expectSameShape, type LayerSpec } from '@gradstream/graph';
import type { Shape } from '@gradstream/tensor';
import type { LayerOptions } from '../layer-options.js';
import { lossRows } from './loss-rows.js';

/**
 * Binary cross-entropy on logits, fused and numerically stable:
 * `L = (1/R) · Σ_r Σ_j (max(z, 0) − z·y + log1p(e^(−|z|)))` over the R rows of `logits`.
 *
 * Inputs: `logits` and `target` of the same shape, each target in [0, 1] (a label or a
 * probability); every output is its own yes/no question (multi-label), unlike
 * {@link softmaxCrossEntropyOp}'s one class per row. The target receives no gradient. The formula
 * equals `−y·log σ(z) − (1 − y)·log(1 − σ(z))` but never forms σ(z), so logits of ±1000 give a finite
 * loss; backward is `∂L/∂z = dy · (σ(z) − y) / R`.
 *
 * Reduction: as `mse` and `softmaxCrossEntropy`, the sum over the last axis and the mean over the
 * rows (R = the product of the leading axes: the batch, or batch·T for `[batch, T, outputs]`).
 * TensorFlow's `sigmoid_cross_entropy_with_logits` returns the per-element terms (their sum over
 * the last axis, averaged over rows, is this); PyTorch's `BCEWithLogitsLoss()` and Keras's
 * `BinaryCrossentropy(from_logits=True)` average over all elements, i.e. this loss divided by the
 * width of the last axis.
 *
 * @example
 * ```ts
 * import { sequential } from '@gradstream/graph';
 * import { linear, sigmoidCrossEntropy } from '@gradstream/ops';
 * // 4 features → 3 independent yes/no logits; targets are 0/1 rows of width 3.
 * const model = sequential([linear({ inFeatures: 4, outFeatures: 3 })], { inputShape: [4], loss: sigmoidCrossEntropy() });
 * ```
 */
export const sigmoidCrossEntropyOp = defineOp({
  name: 'sigmoidCrossEntropy',
  description: 'loss L = mean over rows of Σ (max(z, 0) − z·y + log1p(e^(−|z|))): binary cross-entropy on logits, stable',
  inputs: ['logits', 'target'],
  nonDifferentiable: ['target'],
  save: { inputs: ['logits', 'target'] },
  outputShape: ([logits, target]: readonly Shape[]) => {
    expectSameShape('logits', logits, 'target', target);
    return [];
  },
  forward({ inputs: { logits, target }, out, backend }) {
    backend.sigmoidCrossEntropy(logits.data, target.data, out.data, lossRows(logits.shape));
  },
  backward({ dy, saved, dInputs, backend }) {
    const { logits, target } = saved.inputs;
    if (dInputs.logits) backend.sigmoidCrossEntropyBackward(logits.data, target.data, dy.data, dInputs.logits.data, lossRows(logits.shape));
  },
  gradcheckCase: (rng) => {
    const shape = [1 + rng.int(5), 1 + rng.int(4)];
    // Sometimes a time axis: rows over several leading axes.
    if (rng.next() < 0.5) shape.splice(1, 0, 1 + rng.int(3));
    return {
      config: {},
      inputShapes: [shape, shape],
      fillInput: (index, data, r) => {
        for (let j = 0; j < data.length; j++) data[j] = index === 0 ? r.uniform(-4, 4) : r.next();
      },
    };
  },
});

/**
 * A {@link sigmoidCrossEntropyOp} loss for `sequential` or a model spec: the model's last layer
 * outputs logits (no sigmoid), the targets are 0/1 labels or probabilities of the same shape.
 *
 * @example
 * ```ts
 * import { sigmoidCrossEntropy } from '@gradstream/ops';
 * sigmoidCrossEntropy(); // { op: 'sigmoidCrossEntropy' }
 * ```
 */
export function sigmoidCrossEntropy(options: LayerOptions = {}): LayerSpec {
  return { op: sigmoidCrossEntropyOp.name, ...options };
}
