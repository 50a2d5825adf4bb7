import { defineOp, type LayerConfig, type LayerSpec } from '@gradstream/graph';
import type { LayerOptions } from '../layer-options.js';
import { FEATURES_FROM_INPUT, FEATURES_PROPERTY, lastAxisShape, rowsOf, spreadInput } from './last-axis.js';

/**
 * Layer normalization over the last axis: each row (each sample, or each time step of a sequence
 * `[batch, time, features]`) is normalized over its own features, then scaled and shifted per
 * feature: `y = gamma · (x − mean) / √(variance + ε) + beta`, the variance biased (`÷ features`),
 * `gamma` starting at ones and `beta` at zeros (`[features]` each). As PyTorch's
 * `LayerNorm(normalized_shape = features)`; training and evaluation compute the same. Left out,
 * `features` is read off the input's last axis; given, it is checked against it.
 *
 * @example
 * ```ts
 * import { sequential } from '@gradstream/graph';
 * import { layerNorm, linear, mse, relu } from '@gradstream/ops';
 * const model = sequential([linear({ outFeatures: 16 }), layerNorm(), relu(), linear({ outFeatures: 1 })], {
 *   inputShape: [4], loss: mse(), seed: 1,
 * });
 * ```
 */
export const layerNormOp = defineOp({
  name: 'layerNorm',
  description: 'layer normalization over the last axis: y = gamma·(x − mean)/√(variance + ε) + beta, per row',
  paramsSchema: {
    type: 'object',
    properties: {
      ...FEATURES_PROPERTY,
      epsilon: { type: 'number', exclusiveMinimum: 0, default: 1e-5, description: 'added to the variance before its square root' },
    },
    additionalProperties: false,
  },
  inputs: ['x'],
  save: { inputs: ['x'] },
  fromInputs: FEATURES_FROM_INPUT,
  // Each row's mean and 1/√(variance + ε), kept from forward for backward.
  scratch: {
    mean: ([x], c) => [x === undefined ? 0 : rowsOf(x, c.features)],
    invStd: ([x], c) => [x === undefined ? 0 : rowsOf(x, c.features)],
  },
  params: (c) => {
    const fans = { fanIn: c.features, fanOut: c.features };
    return {
      gamma: { shape: [c.features], init: { type: 'ones' }, ...fans },
      beta: { shape: [c.features], init: { type: 'zeros' }, ...fans },
    };
  },
  outputShape: (shapes, c) => lastAxisShape(shapes, c.features),
  forward({ inputs: { x }, params: { gamma, beta }, scratch: { mean, invStd }, out, config: c, backend }) {
    backend.layerNorm(x.data, gamma.data, beta.data, out.data, mean.data, invStd.data, rowsOf(x.shape, c.features), c.features, c.epsilon);
  },
  backward({ dy, saved, params: { gamma }, scratch: { mean, invStd }, dInputs, dParams, config: c, backend }) {
    const x = saved.inputs.x;
    backend.layerNormBackward(x.data, mean.data, invStd.data, gamma.data, dy.data, dInputs.x?.data, dParams.gamma.data, dParams.beta.data, rowsOf(x.shape, c.features), c.features);
  },
  gradcheckCase: (rng) => {
    const features = 1 + rng.int(6);
    const batch = 1 + rng.int(4);
    // `[batch, features]`, a sequence `[batch, time, features]`, or an NHWC image of odd sizes.
    const kind = rng.int(3);
    const inputShape = kind === 0 ? [batch, features] : kind === 1 ? [batch, 1 + rng.int(4), features] : [batch, 1 + 2 * rng.int(2), 3, features];
    return {
      config: { features },
      inputShapes: [inputShape],
      // Alternate features around ±0.5, so every row has some spread.
      fillInput: spreadInput((i) => i % features),
    };
  },
});

/**
 * Configuration of {@link layerNormOp}, as a layer writes it (from its schema): `epsilon`
 * (default 1e-5) and `features` (default: the input's last axis).
 *
 * @example
 * ```ts
 * import type { LayerNormConfig } from '@gradstream/ops';
 * const c: LayerNormConfig = { epsilon: 1e-6 };
 * ```
 */
export type LayerNormConfig = LayerConfig<typeof layerNormOp>;

/**
 * A {@link layerNormOp} layer; `features` is read off the previous layer's output when left out.
 *
 * @example
 * ```ts
 * import { layerNorm } from '@gradstream/ops';
 * layerNorm({ epsilon: 1e-6 });
 * ```
 */
export function layerNorm(config: LayerNormConfig & LayerOptions = {}): LayerSpec {
  return { op: layerNormOp.name, ...config };
}
