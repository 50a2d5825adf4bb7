import { defineOp, shapeError, type LayerSpec } from '@gradstream/graph';
import { GradstreamError, type Shape } from '@gradstream/tensor';
import type { LayerOptions } from '../layer-options.js';

/**
 * Configuration of {@link reshapeOp}.
 *
 * @example
 * ```ts
 * import type { ReshapeConfig } from '@gradstream/ops';
 * const c: ReshapeConfig = { shape: [28, 28, 1] };
 * ```
 */
export interface ReshapeConfig {
  /** The shape of each sample (after the batch axis); one entry may be -1, worked out from the others. */
  readonly shape: readonly number[];
}

/** `[batch, ...shape]` with its -1 worked out, checked to hold as many values per sample as `x`. */
function reshaped(x: Shape | undefined, c: ReshapeConfig): Shape {
  const target = `[batch,${c.shape.join(',')}]`;
  if (x === undefined || x.length < 2) shapeError('x', `[batch,…] (to reshape to ${target})`, x ?? []);
  const free = c.shape.indexOf(-1);
  if (c.shape.lastIndexOf(-1) !== free) {
    throw new GradstreamError('INVALID_CONFIG', `shape ${target} holds more than one -1; only one size can be worked out from the others`, { shape: [...c.shape] });
  }
  const size = x.slice(1).reduce((a, b) => a * b, 1);
  const known = c.shape.reduce((a, d) => (d === -1 ? a : a * d), 1);
  if (free < 0 ? known !== size : size % known !== 0) {
    shapeError('x', `[batch,…] of ${free < 0 ? known : `a multiple of ${known}`} values per sample (to reshape to ${target})`, x);
  }
  return [x[0] ?? 0, ...c.shape.map((d) => (d === -1 ? size / known : d))];
}

/**
 * Gives each sample a new shape holding the same values in the same memory order: `[batch, …]` →
 * `[batch, ...shape]`, one entry of `shape` may be -1 (worked out from the others). For instance
 * `[batch, 784]` → `[batch, 28, 28, 1]` turns rows of pixels into NHWC images for `conv2d`.
 *
 * - TF.js / Keras: `tf.layers.reshape({ targetShape: shape })`.
 * - PyTorch: `x.reshape(-1, *shape)` (or `nn.Unflatten(1, shape)`).
 *
 * @example
 * ```ts
 * import { createRegistry } from '@gradstream/graph';
 * import { reshapeOp } from '@gradstream/ops';
 * createRegistry([reshapeOp]).has('reshape'); // true
 * ```
 */
export const reshapeOp = defineOp({
  name: 'reshape',
  description: 'each sample reshaped, same values in the same order, [batch, …] → [batch, ...shape]',
  paramsSchema: {
    type: 'object',
    properties: {
      shape: { type: 'array', items: { oneOf: [{ const: -1 }, { type: 'integer', minimum: 1 }] }, minItems: 1 },
    },
    required: ['shape'],
    additionalProperties: false,
  },
  inputs: ['x'],
  save: {},
  outputShape: ([x], c: ReshapeConfig) => reshaped(x, c),
  forward({ inputs: { x }, out, backend }) {
    backend.copy(x.data, out.data);
  },
  backward({ dy, dInputs, backend }) {
    if (dInputs.x) backend.copy(dy.data, dInputs.x.data);
  },
  gradcheckCase: (rng) => {
    const [a, b, c] = [1 + rng.int(4), 1 + rng.int(4), 1 + rng.int(3)];
    const shape = rng.next() < 0.5 ? [b, a * c] : [c, -1, a];
    return { config: { shape }, inputShapes: [[1 + rng.int(3), a * b * c]] };
  },
});

/**
 * A {@link reshapeOp} layer: `[batch, …]` → `[batch, ...shape]`.
 *
 * @example
 * ```ts
 * import { reshape } from '@gradstream/ops';
 * reshape({ shape: [28, 28, 1] }); // rows of 784 pixels as NHWC images
 * ```
 */
export function reshape(config: ReshapeConfig & LayerOptions): LayerSpec {
  return { op: reshapeOp.name, ...config };
}
