import { defineOp, type LayerSpec } from '@gradstream/graph';
import { kernelSource as k, sizeOf, type Shape } from '@gradstream/tensor';
import type { LayerOptions } from './layer-options.js';
import { awayFromKink } from './relu.js';

/**
 * Configuration of {@link leakyReluOp}.
 *
 * @example
 * ```ts
 * import type { LeakyReluConfig } from '@gradstream/ops';
 * const c: LeakyReluConfig = { alpha: 0.2 };
 * ```
 */
export interface LeakyReluConfig {
  /** Slope for negative inputs, ≥ 0 (default 0.01). */
  readonly alpha?: number;
}

const DEFAULT_ALPHA = 0.01;

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
export const leakyReluOp = defineOp({
  name: 'leakyRelu',
  description: 'leaky ReLU a = z for z > 0, else alpha · z, elementwise',
  paramsSchema: {
    type: 'object',
    properties: { alpha: { type: 'number', minimum: 0, default: DEFAULT_ALPHA } },
    additionalProperties: false,
  },
  inputs: ['x'],
  save: { inputs: ['x'] },
  outputShape: ([x]: readonly Shape[], _c: LeakyReluConfig) => x as Shape,
  forward({ inputs: { x }, out, config: c, backend }) {
    backend.leakyRelu(x.data, c.alpha ?? DEFAULT_ALPHA, out.data);
  },
  backward({ dy, saved, dInputs, config: c, backend }) {
    if (dInputs.x) backend.leakyReluBackward(saved.inputs.x.data, c.alpha ?? DEFAULT_ALPHA, dy.data, dInputs.x.data);
  },
  emit: ({ inputs: { x }, out, dy, dInputs, outputShape, config: c }) => ({
    forward: k.leakyRelu(x, c.alpha ?? DEFAULT_ALPHA, out, sizeOf(outputShape)),
    backward: dInputs.x ? k.leakyReluBackward(x, c.alpha ?? DEFAULT_ALPHA, dy, dInputs.x, sizeOf(outputShape)) : '',
  }),
  gradcheckCase: (rng) => ({
    config: { alpha: rng.uniform(0, 0.5) },
    inputShapes: [[1 + rng.int(5), 1 + rng.int(6)]],
    fillInput: awayFromKink,
  }),
});

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
