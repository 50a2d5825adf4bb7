import { defineOp, expectSameShape, type LayerSpec } from '@gradstream/graph';
import type { LayerOptions } from './layer-options.js';

/**
 * Mean squared error loss, halved: `L = ½ · (1/B) · Σ_b Σ_j (ŷ_bj − y_bj)²` over a batch of B.
 *
 * Reduction convention: the sum over a sample's outputs, the mean over the batch, times ½ — so a
 * batch of one gives the lesson's `L = ½(ŷ − y)²` and its gradient `∂L/∂ŷ = ŷ − y`. In general
 * `∂L/∂ŷ = (ŷ − y) / B`. The target receives no gradient. (The *metric* MSE reported by the
 * trainer is the plain mean of squared errors, `mean (ŷ − y)²`.)
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
  description: 'loss L = ½ · mean over the batch of Σ (ŷ − y)²',
  inputs: ['pred', 'target'],
  nonDifferentiable: ['target'],
  save: { inputs: ['pred', 'target'] },
  outputShape: ([pred, target]: readonly (readonly number[])[]) => {
    expectSameShape('pred', pred, 'target', target);
    return [];
  },
  forward({ inputs: { pred, target }, out, backend }) {
    backend.mse(pred.data, target.data, out.data, pred.shape[0] as number);
  },
  backward({ dy, saved, dInputs, backend }) {
    if (dInputs.pred) backend.mseBackward(saved.inputs.pred.data, saved.inputs.target.data, dy.data, dInputs.pred.data, saved.inputs.pred.shape[0] as number);
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
