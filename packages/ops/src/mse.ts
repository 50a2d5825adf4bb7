import { defineOp, expectSameShape, type LayerSpec } from '@gradstream/graph';
import { sizeOf, type Shape } from '@gradstream/tensor';
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
  forward({ inputs: { pred, target }, out }) {
    const p = pred.data;
    const t = target.data;
    let s = 0;
    for (let i = 0; i < p.length; i++) {
      const d = (p[i] as number) - (t[i] as number);
      s += d * d;
    }
    out.data[0] = (0.5 * s) / (pred.shape[0] || 1);
  },
  backward({ dy, saved, dInputs }) {
    const dp = dInputs.pred?.data;
    if (dp === undefined) return;
    const p = saved.inputs.pred.data;
    const t = saved.inputs.target.data;
    const k = (dy.data[0] as number) / (saved.inputs.pred.shape[0] || 1);
    for (let i = 0; i < dp.length; i++) dp[i] = k * ((p[i] as number) - (t[i] as number));
  },
  // The loops above as source, with the sizes written in.
  emit: ({ inputs: { pred, target }, out, dy, dInputs, inputShapes: [predShape] }) => {
    const size = sizeOf(predShape as Shape);
    const batch = (predShape as Shape)[0] || 1;
    return {
      forward: `let s = 0; for (let i = 0; i < ${size}; i++) { const d = ${pred}[i] - ${target}[i]; s += d * d; } ${out}[0] = (0.5 * s) / ${batch};`,
      backward: dInputs.pred ? `const k = ${dy}[0] / ${batch}; for (let i = 0; i < ${size}; i++) ${dInputs.pred}[i] = k * (${pred}[i] - ${target}[i]);` : '',
    };
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
