import { defineOp, type LayerConfig, type LayerSpec } from '@gradstream/graph';
import { FULLY_CONNECTED_INPUTS, FULLY_CONNECTED_PROPERTIES, fullyConnectedParams, fullyConnectedShape, rowsOf } from './fully-connected.js';
import type { LayerOptions } from './layer-options.js';

/**
 * Fully connected layer `z = x·Wᵀ + b`, i.e. `z = W·x + b` for each sample as in the lesson.
 *
 * Conventions: input `x` is `[batch, inFeatures]`; the weight `W` is `[outFeatures, inFeatures]`
 * (row i holds the weights into output i, as PyTorch lays it out); the bias `b` is `[outFeatures]`;
 * the output is `[batch, outFeatures]`. An input of higher rank, `[batch, T, inFeatures]`, is
 * transformed along its last axis into `[batch, T, outFeatures]`, every position alike. Left out,
 * `inFeatures` is read off the input's last axis; given, it is checked against it.
 *
 * Backward, with `g = ∂L/∂z`: `∂L/∂W = gᵀ·x`, `∂L/∂b = Σ_batch g`, `∂L/∂x = g·W` — computed with
 * transposed-operand matmuls, never a transposed copy.
 *
 * @example
 * ```ts
 * import { createRegistry } from '@gradstream/graph';
 * import { linearOp } from '@gradstream/ops';
 * const registry = createRegistry([linearOp]);
 * ```
 */
export const linearOp = defineOp({
  name: 'linear',
  description: 'fully connected layer z = x·Wᵀ + b, W is [outFeatures, inFeatures]',
  paramsSchema: {
    type: 'object',
    properties: FULLY_CONNECTED_PROPERTIES,
    required: ['outFeatures'],
    additionalProperties: false,
  },
  inputs: ['x'],
  save: { inputs: ['x'] },
  fromInputs: FULLY_CONNECTED_INPUTS,
  params: (c) => fullyConnectedParams(c),
  outputShape: (shapes, c) => fullyConnectedShape(shapes, c),
  forward({ inputs: { x }, params: { weight, bias }, out, config: c, backend }) {
    const rows = rowsOf(x, c);
    backend.matmul(x.data, weight.data, out.data, rows, c.outFeatures, c.inFeatures, false, true);
    backend.addRowBroadcast(out.data, bias.data, out.data, rows, c.outFeatures);
  },
  backward({ dy, saved, params: { weight }, dInputs, dParams, config: c, backend }) {
    const x = saved.inputs.x;
    const rows = rowsOf(x, c);
    backend.matmul(dy.data, x.data, dParams.weight.data, c.outFeatures, c.inFeatures, rows, true, false);
    backend.sumRows(dy.data, dParams.bias.data, rows, c.outFeatures);
    if (dInputs.x) backend.matmul(dy.data, weight.data, dInputs.x.data, rows, c.inFeatures, c.outFeatures, false, false);
  },
  gradcheckCase: (rng) => {
    const inFeatures = 1 + rng.int(6);
    const outFeatures = 1 + rng.int(6);
    return { config: { inFeatures, outFeatures }, inputShapes: [[1 + rng.int(5), inFeatures]] };
  },
});

/**
 * Configuration of {@link linearOp}, as a layer writes it (from its schema: `outFeatures`, and
 * optionally `inFeatures` and the initializers of the weight, default `glorotUniform`, and the
 * bias, default `zeros`).
 *
 * @example
 * ```ts
 * import type { LinearConfig } from '@gradstream/ops';
 * const c: LinearConfig = { outFeatures: 128, weightInit: { type: 'heNormal' } };
 * ```
 */
export type LinearConfig = LayerConfig<typeof linearOp>;

/**
 * A {@link linearOp} layer for `sequential` or a model spec.
 *
 * @example
 * ```ts
 * import { linear } from '@gradstream/ops';
 * linear({ outFeatures: 1, weightInit: { type: 'constant', value: 0.5 } }); // inFeatures from the input
 * ```
 */
export function linear(config: LinearConfig & LayerOptions): LayerSpec {
  return { op: linearOp.name, ...config };
}
