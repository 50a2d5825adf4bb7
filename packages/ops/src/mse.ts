import { defineOp, expectSameShape, type LayerSpec } from '@gradstream/graph';
import type { LayerOptions } from './layer-options.js';
import { lossRows } from './losses/loss-rows.js';

/**
 * Mean squared error loss, halved: `L = ½ · (1/R) · Σ_r Σ_j (ŷ_rj − y_rj)²` over the R rows of `pred`.
 *
 * Reduction convention: the sum over the last axis (a sample's outputs), the mean over the rows,
 * times ½ — so a batch of one gives the lesson's `L = ½(ŷ − y)²` and its gradient `∂L/∂ŷ = ŷ − y`.
 * In general `∂L/∂ŷ = (ŷ − y) / R`. R is the product of the leading axes: the batch for
 * `[batch, outputs]` (and for `[batch]`), batch·T for `[batch, T, outputs]`, as every loss here
 * counts rows. The target receives no gradient. PyTorch's `MSELoss()` is the plain mean over all
 * elements, this loss times 2 / (width of the last axis). (The *metric* MSE reported by the
 * trainer is that plain mean, `mean (ŷ − y)²`.)
 *
 * @example
 * ```ts
 * import { createRegistry } from '@gradstream/graph';
 * import { mseOp } from '@gradstream/ops';
 * createRegistry([mseOp]).names(); // ['mse']
 * ```
 */
export const mseOp = defineOp({
  name: 'mse',
  description: 'loss L = ½ · mean over rows of Σ (ŷ − y)² over the last axis',
  inputs: ['pred', 'target'],
  nonDifferentiable: ['target'],
  save: { inputs: ['pred', 'target'] },
  outputShape: ([pred, target]: readonly (readonly number[])[]) => {
    expectSameShape('pred', pred, 'target', target);
    return [];
  },
  forward({ inputs: { pred, target }, out, backend }) {
    backend.mse(pred.data, target.data, out.data, lossRows(pred.shape));
  },
  backward({ dy, saved, dInputs, backend }) {
    if (dInputs.pred) backend.mseBackward(saved.inputs.pred.data, saved.inputs.target.data, dy.data, dInputs.pred.data, lossRows(saved.inputs.pred.shape));
  },
  gradcheckCase: (rng) => {
    const shape = [1 + rng.int(5), 1 + rng.int(4)];
    return { config: {}, inputShapes: [shape, shape] };
  },
});

/**
 * An {@link mseOp} loss for `sequential` or a model spec.
 *
 * @example
 * ```ts
 * import { mse } from '@gradstream/ops';
 * mse(); // { op: 'mse' }
 * ```
 */
export function mse(options: LayerOptions = {}): LayerSpec {
  return { op: mseOp.name, ...options };
}
