import { defineOp, type LayerSpec } from '@gradstream/graph';
import type { InitSpec } from '@gradstream/tensor';
import { FULLY_CONNECTED_PROPERTIES, fullyConnectedParams, fullyConnectedShape } from './fully-connected.js';
import type { LayerOptions } from './layer-options.js';

/**
 * Configuration of {@link linearOp}.
 *
 * @example
 * ```ts
 * import type { LinearConfig } from '@gradstream/ops';
 * const c: LinearConfig = { inFeatures: 784, outFeatures: 128, weightInit: { type: 'heNormal' } };
 * ```
 */
export interface LinearConfig {
  readonly inFeatures: number;
  readonly outFeatures: number;
  /** Initializer of the weight (default `glorotUniform`). */
  readonly weightInit?: InitSpec;
  /** Initializer of the bias (default `zeros`). */
  readonly biasInit?: InitSpec;
}

/**
 * Fully connected layer `z = x·Wᵀ + b`, i.e. `z = W·x + b` for each sample as in the lesson.
 *
 * Conventions: input `x` is `[batch, inFeatures]`; the weight `W` is `[outFeatures, inFeatures]`
 * (row i holds the weights into output i, as PyTorch lays it out); the bias `b` is `[outFeatures]`;
 * the output is `[batch, outFeatures]`.
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
    required: ['inFeatures', 'outFeatures'],
    additionalProperties: false,
  },
  inputs: ['x'],
  save: { inputs: ['x'] },
  params: (c: LinearConfig) => fullyConnectedParams(c),
  outputShape: (shapes, c) => fullyConnectedShape(shapes, c),
  forward({ inputs: { x }, params: { weight, bias }, out, config: c, backend }) {
    const batch = x.shape[0] as number;
    backend.matmul(x.data, weight.data, out.data, batch, c.outFeatures, c.inFeatures, false, true);
    backend.addRowBroadcast(out.data, bias.data, out.data, batch, c.outFeatures);
  },
  backward({ dy, saved, params: { weight }, dInputs, dParams, config: c, backend }) {
    const x = saved.inputs.x;
    const batch = x.shape[0] as number;
    backend.matmul(dy.data, x.data, dParams.weight.data, c.outFeatures, c.inFeatures, batch, true, false);
    backend.sumRows(dy.data, dParams.bias.data, batch, c.outFeatures);
    if (dInputs.x) backend.matmul(dy.data, weight.data, dInputs.x.data, batch, c.inFeatures, c.outFeatures, false, false);
  },
  gradcheckCase: (rng) => {
    const inFeatures = 1 + rng.int(6);
    const outFeatures = 1 + rng.int(6);
    return { config: { inFeatures, outFeatures }, inputShapes: [[1 + rng.int(5), inFeatures]] };
  },
});

/**
 * A {@link linearOp} layer for `sequential` or a model spec.
 *
 * @example
 * ```ts
 * import { linear } from '@gradstream/ops';
 * linear({ inFeatures: 1, outFeatures: 1, weightInit: { type: 'constant', value: 0.5 } });
 * ```
 */
export function linear(config: LinearConfig & LayerOptions): LayerSpec {
  return { op: linearOp.name, ...config };
}
