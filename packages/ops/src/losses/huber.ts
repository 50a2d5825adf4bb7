import { defineOp, expectSameShape, type LayerSpec } from '@gradstream/graph';
import type { Shape } from '@gradstream/tensor';
import type { LayerOptions } from '../layer-options.js';
import { lossRows } from './loss-rows.js';

/**
 * Configuration of {@link huberOp}.
 *
 * @example
 * ```ts
 * import type { HuberConfig } from '@gradstream/ops';
 * const c: HuberConfig = { delta: 0.5 };
 * ```
 */
export interface HuberConfig {
  /** Where the loss turns from quadratic to linear, in units of the error (default 1). */
  readonly delta?: number;
}

const deltaOf = (c: HuberConfig): number => c.delta ?? 1;

/**
 * Huber loss: `L = (1/R) · Σ_r Σ_j h(ŷ − y)` over the R rows of `pred`, with `h(d) = ½d²` for
 * `|d| ≤ δ` and `δ·(|d| − ½δ)` beyond: `mse`'s ½d² near the target, `mae`'s constant pull (scaled
 * by δ) far from it. The target receives no gradient; `∂L/∂ŷ = dy · clamp(ŷ − y, −δ, δ) / R`.
 *
 * Reduction: as `mse` and `softmaxCrossEntropy`, the sum over the last axis and the mean over the
 * rows (R = the product of the leading axes: the batch, or batch·T for `[batch, T, outputs]`), so
 * with every |ŷ − y| ≤ δ it equals `mse` exactly. PyTorch's `HuberLoss(delta=δ)` and Keras's
 * `Huber(delta=δ)` average over all elements: this loss divided by the width of the last axis.
 *
 * @example
 * ```ts
 * import { sequential } from '@gradstream/graph';
 * import { huber, linear } from '@gradstream/ops';
 * const model = sequential([linear({ inFeatures: 3, outFeatures: 1 })], { inputShape: [3], loss: huber({ delta: 0.5 }) });
 * ```
 */
export const huberOp = defineOp({
  name: 'huber',
  description: 'loss L = mean over rows of Σ h(ŷ − y), h(d) = ½d² for |d| ≤ δ, else δ·(|d| − ½δ)',
  paramsSchema: {
    type: 'object',
    properties: { delta: { type: 'number', exclusiveMinimum: 0, default: 1 } },
    additionalProperties: false,
  },
  inputs: ['pred', 'target'],
  nonDifferentiable: ['target'],
  save: { inputs: ['pred', 'target'] },
  outputShape: ([pred, target]: readonly Shape[], _c: HuberConfig) => {
    expectSameShape('pred', pred, 'target', target);
    return [];
  },
  forward({ inputs: { pred, target }, out, config, backend }) {
    backend.huber(pred.data, target.data, out.data, lossRows(pred.shape), deltaOf(config));
  },
  backward({ dy, saved, dInputs, config, backend }) {
    const { pred, target } = saved.inputs;
    if (dInputs.pred) backend.huberBackward(pred.data, target.data, dy.data, dInputs.pred.data, lossRows(pred.shape), deltaOf(config));
  },
  gradcheckCase: (rng) => {
    const delta = 0.5 + rng.next();
    const shape = [1 + rng.int(5), 1 + rng.int(4)];
    if (rng.next() < 0.5) shape.splice(1, 0, 1 + rng.int(3));
    return {
      config: { delta },
      inputShapes: [shape, shape],
      // Errors in both pieces but never within 0.2·δ of the joint at |d| = δ, where h″ jumps
      // and a finite difference would straddle it.
      fillInput: (index, data, r) => {
        for (let j = 0; j < data.length; j++) {
          if (index === 1) data[j] = r.uniform(-0.1, 0.1) * delta;
          else data[j] = (r.next() < 0.5 ? -1 : 1) * (r.next() < 0.5 ? r.uniform(0, 0.7) : r.uniform(1.3, 3)) * delta;
        }
      },
    };
  },
});

/**
 * A {@link huberOp} loss for `sequential` or a model spec.
 *
 * @example
 * ```ts
 * import { huber } from '@gradstream/ops';
 * huber(); // { op: 'huber' }
 * huber({ delta: 0.5 }); // { op: 'huber', delta: 0.5 }
 * ```
 */
export function huber(options: LayerOptions & HuberConfig = {}): LayerSpec {
  return { op: huberOp.name, ...options };
}
