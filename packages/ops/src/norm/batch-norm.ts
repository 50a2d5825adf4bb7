import { defineOp, type LayerConfig, type LayerSpec } from '@gradstream/graph';
import type { LayerOptions } from '../layer-options.js';
import { FEATURES_FROM_INPUT, FEATURES_PROPERTY, lastAxisShape, rowsOf, spreadInput } from './last-axis.js';

/**
 * Batch normalization over the last axis: each feature (an NHWC image's channel, a column of
 * `[batch, features]`) is normalized over every other axis — the batch and, for images, height and
 * width — then scaled and shifted: `y = gamma · (x − mean) / √(variance + ε) + beta`, with `gamma`
 * starting at ones and `beta` at zeros (`[features]` each). Left out, `features` is read off the
 * input's last axis; given, it is checked against it.
 *
 * While training, `mean` and `variance` are the batch's own (the biased variance, `÷ rows`), the
 * gradient flows through them, and the moving statistics `movingMean` and `movingVariance` are
 * updated as `moving = momentum · moving + (1 − momentum) · batch` — with the biased batch variance,
 * as TF.js's and Keras's BatchNormalization do (PyTorch's keeps the unbiased one). In evaluation and
 * prediction the moving statistics are used instead. They are the op's state, not parameters:
 * saved in checkpoints and ONNX exports, never given a gradient nor touched by an optimizer.
 *
 * A batch of one `[1, features]` has variance 0: the output is `beta`, and the gradient with
 * respect to `x` is 0.
 *
 * @example
 * ```ts
 * import { sequential } from '@gradstream/graph';
 * import { batchNorm, linear, mse, relu } from '@gradstream/ops';
 * const model = sequential([linear({ outFeatures: 16 }), batchNorm(), relu(), linear({ outFeatures: 1 })], {
 *   inputShape: [4], loss: mse(), seed: 1,
 * });
 * ```
 */
export const batchNormOp = defineOp({
  name: 'batchNorm',
  description: 'batch normalization over the last axis: y = gamma·(x − mean)/√(variance + ε) + beta, moving statistics for evaluation',
  paramsSchema: {
    type: 'object',
    properties: {
      ...FEATURES_PROPERTY,
      momentum: { type: 'number', minimum: 0, maximum: 1, default: 0.99, description: 'how much of the moving statistics each training step keeps' },
      epsilon: { type: 'number', exclusiveMinimum: 0, default: 0.001, description: 'added to the variance before its square root' },
    },
    additionalProperties: false,
  },
  inputs: ['x'],
  save: { inputs: ['x'] },
  fromInputs: FEATURES_FROM_INPUT,
  // The batch's moments, kept from forward for backward.
  scratch: { mean: (_shapes, c) => [c.features], variance: (_shapes, c) => [c.features] },
  params: (c) => {
    const fans = { fanIn: c.features, fanOut: c.features };
    return {
      gamma: { shape: [c.features], init: { type: 'ones' }, ...fans },
      beta: { shape: [c.features], init: { type: 'zeros' }, ...fans },
    };
  },
  state: (c) => ({
    movingMean: { shape: [c.features], init: { type: 'zeros' } },
    movingVariance: { shape: [c.features], init: { type: 'ones' } },
  }),
  outputShape: (shapes, c) => lastAxisShape(shapes, c.features),
  forward({ inputs: { x }, params: { gamma, beta }, state: { movingMean, movingVariance }, scratch: { mean, variance }, out, config: c, training, backend }) {
    const rows = rowsOf(x.shape, c.features);
    if (!training) {
      backend.batchNorm(x.data, movingMean.data, movingVariance.data, gamma.data, beta.data, out.data, rows, c.features, c.epsilon);
      return;
    }
    backend.columnMoments(x.data, mean.data, variance.data, rows, c.features);
    backend.batchNorm(x.data, mean.data, variance.data, gamma.data, beta.data, out.data, rows, c.features, c.epsilon);
    backend.movingAverage(movingMean.data, mean.data, c.momentum);
    backend.movingAverage(movingVariance.data, variance.data, c.momentum);
  },
  backward({ dy, saved, params: { gamma }, scratch: { mean, variance }, dInputs, dParams, config: c, backend }) {
    const x = saved.inputs.x;
    const rows = rowsOf(x.shape, c.features);
    backend.batchNormBackward(x.data, mean.data, variance.data, gamma.data, dy.data, dInputs.x?.data, dParams.gamma.data, dParams.beta.data, rows, c.features, c.epsilon);
  },
  gradcheckCase: (rng) => {
    const features = 1 + rng.int(4);
    const batch = 2 + rng.int(4);
    // `[batch, features]`, or an NHWC image of odd height and width.
    const inputShape = rng.next() < 0.5 ? [batch, features] : [batch, 1 + 2 * rng.int(2), 1 + 2 * rng.int(3), features];
    return {
      config: { features, momentum: 0.9 },
      inputShapes: [inputShape],
      // Alternate rows around ±0.5, so every channel has some spread whatever the shape.
      fillInput: spreadInput((i) => Math.floor(i / features)),
    };
  },
});

/**
 * Configuration of {@link batchNormOp}, as a layer writes it (from its schema): `momentum`
 * (default 0.99), `epsilon` (default 0.001) and `features` (default: the input's last axis).
 *
 * @example
 * ```ts
 * import type { BatchNormConfig } from '@gradstream/ops';
 * const c: BatchNormConfig = { momentum: 0.9, epsilon: 1e-5 };
 * ```
 */
export type BatchNormConfig = LayerConfig<typeof batchNormOp>;

/**
 * A {@link batchNormOp} layer; `features` is read off the previous layer's output when left out.
 *
 * @example
 * ```ts
 * import { batchNorm } from '@gradstream/ops';
 * batchNorm({ momentum: 0.9 });
 * ```
 */
export function batchNorm(config: BatchNormConfig & LayerOptions = {}): LayerSpec {
  return { op: batchNormOp.name, ...config };
}
