import { defineOp, expectSameShape, type LayerSpec } from '@gradstream/graph';
import type { Shape } from '@gradstream/tensor';
import type { LayerOptions } from '../layer-options.js';
import { lossRows } from './loss-rows.js';

/**
 * Absolute error loss: `L = (1/R) · Σ_r Σ_j |ŷ − y|` over the R rows of `pred`.
 *
 * Robust to outliers where `mse` squares them: each error pulls with the same force, `∂L/∂ŷ =
 * dy · sign(ŷ − y) / R`, taken as 0 where `ŷ = y` exactly (as PyTorch's L1Loss). The target
 * receives no gradient.
 *
 * Reduction: as `mse` and `softmaxCrossEntropy`, the sum over the last axis and the mean over the
 * rows (R = the product of the leading axes: the batch, or batch·T for `[batch, T, outputs]`).
 * PyTorch's `L1Loss()` and Keras's `MeanAbsoluteError` average over all elements: this loss
 * divided by the width of the last axis (the same number for one output per row). Unlike `mse`,
 * no ½. (The *metric* MAE the trainer reports is the plain mean over all elements.)
 *
 * @example
 * ```ts
 * import { sequential } from '@gradstream/graph';
 * import { linear, mae } from '@gradstream/ops';
 * const model = sequential([linear({ inFeatures: 3, outFeatures: 1 })], { inputShape: [3], loss: mae() });
 * ```
 */
export const maeOp = defineOp({
  name: 'mae',
  description: 'loss L = mean over rows of Σ |ŷ − y|',
  inputs: ['pred', 'target'],
  nonDifferentiable: ['target'],
  save: { inputs: ['pred', 'target'] },
  outputShape: ([pred, target]: readonly Shape[]) => {
    expectSameShape('pred', pred, 'target', target);
    return [];
  },
  forward({ inputs: { pred, target }, out, backend }) {
    backend.mae(pred.data, target.data, out.data, lossRows(pred.shape));
  },
  backward({ dy, saved, dInputs, backend }) {
    const { pred, target } = saved.inputs;
    if (dInputs.pred) backend.maeBackward(pred.data, target.data, dy.data, dInputs.pred.data, lossRows(pred.shape));
  },
  gradcheckCase: (rng) => {
    const shape = [1 + rng.int(5), 1 + rng.int(4)];
    if (rng.next() < 0.5) shape.splice(1, 0, 1 + rng.int(3));
    return {
      config: {},
      inputShapes: [shape, shape],
      // |ŷ − y| ≥ 0.25: a finite difference never straddles the kink at ŷ = y.
      fillInput: (index, data, r) => {
        for (let j = 0; j < data.length; j++) data[j] = index === 0 ? (r.next() < 0.5 ? -1 : 1) * r.uniform(0.5, 1) : r.uniform(-0.25, 0.25);
      },
    };
  },
});

/**
 * A {@link maeOp} loss for `sequential` or a model spec.
 *
 * @example
 * ```ts
 * import { mae } from '@gradstream/ops';
 * mae(); // { op: 'mae' }
 * ```
 */
export function mae(options: LayerOptions = {}): LayerSpec {
  return { op: maeOp.name, ...options };
}
