import { defineOp, type LayerConfig, type LayerSpec } from '@gradstream/graph';
import type { LayerOptions } from './layer-options.js';

const DEFAULT_RATE = 0.5;

/**
 * Inverted dropout: while training, each element is zeroed with probability `rate` and the rest
 * are scaled by `1 / (1 − rate)`, so the expected output equals the input and evaluation needs no
 * rescaling; in evaluation (`training === false`) it is the identity.
 *
 * The mask is drawn from the node's own seeded generator (`ctx.rng`), so the same model seed gives
 * the same masks, and kept in a scratch buffer: backward multiplies the incoming signal by the
 * same mask, `∂L/∂x = dy ⊙ mask`. In evaluation the mask is all ones, so backward is the identity too.
 *
 * @example
 * ```ts
 * import { sequential } from '@gradstream/graph';
 * import { dropout, linear, mse, relu } from '@gradstream/ops';
 * const model = sequential([linear({ outFeatures: 16 }), relu(), dropout({ rate: 0.2 }), linear({ outFeatures: 1 })], {
 *   inputShape: [4], loss: mse(), seed: 1,
 * });
 * ```
 */
export const dropoutOp = defineOp({
  name: 'dropout',
  description: 'inverted dropout: zero with probability rate, scale the rest by 1/(1 − rate) while training',
  paramsSchema: {
    type: 'object',
    properties: { rate: { type: 'number', minimum: 0, exclusiveMaximum: 1, default: DEFAULT_RATE } },
    additionalProperties: false,
  },
  inputs: ['x'],
  save: {},
  outputShape: ([x]) => x ?? [],
  // The mask, shaped like x: drawn in forward, read again by backward.
  scratch: { mask: 'x' },
  forward({ inputs: { x }, out, scratch, config: c, training, rng, backend }) {
    const mask = scratch.mask.data;
    if (training) {
      backend.dropoutMask(rng, c.rate, mask);
      backend.mul(x.data, mask, out.data);
    } else {
      backend.fill(mask, 1);
      backend.copy(x.data, out.data);
    }
  },
  backward({ dy, dInputs, scratch, backend }) {
    if (dInputs.x) backend.mul(dy.data, scratch.mask.data, dInputs.x.data);
  },
  gradcheckCase: (rng) => ({ config: { rate: rng.uniform(0, 0.9) }, inputShapes: [[1 + rng.int(5), 1 + rng.int(8)]] }),
});

/**
 * Configuration of {@link dropoutOp}, as a layer writes it (from its schema): `rate`, the
 * probability of zeroing each element while training, in [0, 1) (default 0.5).
 *
 * @example
 * ```ts
 * import type { DropoutConfig } from '@gradstream/ops';
 * const c: DropoutConfig = { rate: 0.2 };
 * ```
 */
export type DropoutConfig = LayerConfig<typeof dropoutOp>;

/**
 * A {@link dropoutOp} layer.
 *
 * @example
 * ```ts
 * import { dropout } from '@gradstream/ops';
 * dropout({ rate: 0.3 }); // { op: 'dropout', rate: 0.3 }
 * ```
 */
export function dropout(config: DropoutConfig & LayerOptions = {}): LayerSpec {
  return { op: dropoutOp.name, ...config };
}
