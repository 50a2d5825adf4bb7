import type { LayerConfig, LayerSpec } from '@gradstream/graph';
import { UNARY_OPS } from '@gradstream/tensor';
import { elementwiseOp } from './elementwise-op.js';
import type { LayerOptions } from './layer-options.js';
import { awayFromKink } from './relu.js';

const DEFAULT_ALPHA = UNARY_OPS.leakyRelu.param.default;

/**
 * Leaky ReLU `a = z` for `z > 0`, else `alpha · z`, elementwise.
 *
 * Forward saves its input; backward multiplies the incoming signal by the slope on that side,
 * `∂L/∂z = ∂L/∂a · (z > 0 ? 1 : alpha)`. Unlike ReLU, negative inputs keep a small gradient.
 *
 * @example
 * ```ts
 * import { createRegistry } from '@gradstream/graph';
 * import { leakyReluOp } from '@gradstream/ops';
 * createRegistry([leakyReluOp]).validateConfig('leakyRelu', {}); // { alpha: 0.01 }
 * ```
 */
export const leakyReluOp = elementwiseOp('leakyRelu', {
  paramsSchema: {
    type: 'object',
    properties: { alpha: { type: 'number', minimum: 0, default: DEFAULT_ALPHA } },
    additionalProperties: false,
  },
  param: (c) => c.alpha,
  fillInput: awayFromKink,
  gradcheckConfig: (rng) => ({ alpha: rng.uniform(0, 0.5) }),
});

/**
 * Configuration of {@link leakyReluOp}, as a layer writes it (from its schema): `alpha`, the slope
 * for negative inputs, ≥ 0 (default 0.01).
 *
 * @example
 * ```ts
 * import type { LeakyReluConfig } from '@gradstream/ops';
 * const c: LeakyReluConfig = { alpha: 0.2 };
 * ```
 */
export type LeakyReluConfig = LayerConfig<typeof leakyReluOp>;

/**
 * A {@link leakyReluOp} layer.
 *
 * @example
 * ```ts
 * import { leakyRelu } from '@gradstream/ops';
 * leakyRelu({ alpha: 0.1 }); // { op: 'leakyRelu', alpha: 0.1 }
 * ```
 */
export function leakyRelu(config: LeakyReluConfig & LayerOptions = {}): LayerSpec {
  return { op: leakyReluOp.name, ...config };
}
