import { defineOp, type LayerConfig, type LayerSpec } from '@gradstream/graph';
import { FULLY_CONNECTED_INPUTS, FULLY_CONNECTED_PROPERTIES, fullyConnectedParams, fullyConnectedShape, rowsOf } from './fully-connected.js';
import { UNARY_NAMES } from '@gradstream/tensor';
import { activationOf, activationParam as paramOf, keepsPreActivation as keepsZ } from './fused-activation.js';
import type { LayerOptions } from './layer-options.js';

/**
 * A fully connected layer with its activation fused in: `a = f(x·Wᵀ + b)`, the same numbers as
 * `linear` followed by the activation op, bit for bit (NaN, ±0 and ±Infinity included), in fewer
 * passes over memory: forward is one matmul then one fused bias-and-activation pass; backward is
 * one fused pass computing `∂L/∂z = ∂L/∂a ⊙ f′` and the bias gradient, then two matmuls. The
 * activation is any function of `UNARY_OPS`, and its fused kernels are rendered from the same
 * definition as the separate op's. Weight layout, inputs of higher rank and `inFeatures` read off
 * the input as `linear`: `[outFeatures, inFeatures]`.
 *
 * Use it when speed matters; use `linear` + an activation when you want to watch `z` and `a`
 * as separate nodes (their own values and gradient signals).
 *
 * @see {@link "Performance" | Performance} (the guide: what a step costs, and choices that make a model faster).
 *
 * @example
 * ```ts
 * import { sequential } from '@gradstream/graph';
 * import { dense, mse } from '@gradstream/ops';
 * const model = sequential([dense({ outFeatures: 128, activation: 'sigmoid' }), dense({ outFeatures: 10 })], {
 *   inputShape: [784], loss: mse(),
 * });
 * ```
 */
export const denseOp = defineOp({
  name: 'dense',
  description: 'fully connected layer with a fused activation a = f(x·Wᵀ + b)',
  paramsSchema: {
    type: 'object',
    properties: {
      ...FULLY_CONNECTED_PROPERTIES,
      activation: { enum: [...UNARY_NAMES], default: 'identity' },
      alpha: { type: 'number', minimum: 0 },
    },
    required: ['outFeatures'],
    additionalProperties: false,
  },
  inputs: ['x'],
  save: { inputs: ['x'], output: true },
  fromInputs: FULLY_CONNECTED_INPUTS,
  params: (c) => fullyConnectedParams(c),
  outputShape: (shapes, c) => fullyConnectedShape(shapes, c),
  // ∂L/∂z, kept between the fused pass and the two matmuls of backward; and z itself where f′ reads it.
  scratch: {
    dz: (shapes, c) => fullyConnectedShape(shapes, c),
    z: (shapes, c) => (keepsZ(c) ? fullyConnectedShape(shapes, c) : [0]),
  },
  forward({ inputs: { x }, params: { weight, bias }, out, scratch, config: c, backend }) {
    const rows = rowsOf(x, c);
    const fn = activationOf(c);
    if (keepsZ(c)) {
      const z = scratch.z.data;
      backend.matmul(x.data, weight.data, z, rows, c.outFeatures, c.inFeatures, false, true);
      backend.addRowBroadcast(z, bias.data, z, rows, c.outFeatures);
      backend.unary(fn, z, out.data, paramOf(c));
    } else {
      backend.matmul(x.data, weight.data, out.data, rows, c.outFeatures, c.inFeatures, false, true);
      backend.biasUnary(fn, out.data, bias.data, out.data, rows, c.outFeatures, paramOf(c));
    }
  },
  backward({ dy, saved, params: { weight }, dInputs, dParams, scratch, config: c, backend }) {
    const x = saved.inputs.x;
    const rows = rowsOf(x, c);
    const dz = scratch.dz.data;
    const s = keepsZ(c) ? scratch.z.data : saved.output.data;
    backend.unaryBiasBackward(activationOf(c), s, dy.data, dz, dParams.bias.data, rows, c.outFeatures, paramOf(c));
    backend.matmul(dz, x.data, dParams.weight.data, c.outFeatures, c.inFeatures, rows, true, false);
    if (dInputs.x) backend.matmul(dz, weight.data, dInputs.x.data, rows, c.inFeatures, c.outFeatures, false, false);
  },
  gradcheckCase: (rng) => {
    const inFeatures = 1 + rng.int(6);
    const outFeatures = 1 + rng.int(6);
    const activation = UNARY_NAMES[rng.int(UNARY_NAMES.length)] ?? 'identity';
    return {
      config: { inFeatures, outFeatures, activation },
      inputShapes: [[1 + rng.int(5), inFeatures]],
      // relu's kink: keep inputs small and positive-biased away from zero pre-activations is not
      // possible to guarantee, so use inputs whose pre-activations rarely land within 1e-3 of 0.
      fillInput: (_i, d, r) => {
        for (let j = 0; j < d.length; j++) d[j] = r.uniform(0.2, 1) * (r.next() < 0.5 ? -1 : 1);
      },
    };
  },
});

/**
 * Configuration of {@link denseOp}, as a layer writes it (from its schema: `outFeatures`, and
 * optionally `inFeatures`, the initializers as `linear`'s, the `activation`, any function of
 * `UNARY_OPS`, default `identity`, and `alpha`, its parameter where it takes one, default the
 * function's own).
 *
 * @example
 * ```ts
 * import type { DenseConfig } from '@gradstream/ops';
 * const c: DenseConfig = { inFeatures: 784, outFeatures: 128, activation: 'relu' };
 * ```
 */
export type DenseConfig = LayerConfig<typeof denseOp>;

/**
 * A {@link denseOp} layer.
 *
 * @example
 * ```ts
 * import { dense } from '@gradstream/ops';
 * dense({ outFeatures: 8, activation: 'tanh' }); // inFeatures from the input
 * ```
 */
export function dense(config: DenseConfig & LayerOptions): LayerSpec {
  return { op: denseOp.name, ...config };
}
