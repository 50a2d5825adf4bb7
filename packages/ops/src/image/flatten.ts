import { defineOp, shapeError, type LayerSpec } from '@gradstream/graph';
import type { Shape } from '@gradstream/tensor';
import type { LayerOptions } from '../layer-options.js';

/** `[batch, values per sample]` of any input with a batch axis and at least one more. */
function flatShape(x: Shape | undefined): Shape {
  if (x === undefined || x.length < 2) shapeError('x', '[batch,…] (at least one axis after the batch)', x ?? []);
  return [x[0] ?? 0, x.slice(1).reduce((a, b) => a * b, 1)];
}

/**
 * Flattens each sample into one row: `[batch, d1, d2, …]` → `[batch, d1·d2·…]`, in memory order
 * (an NHWC image's pixels row by row, channels innermost), so the values are the same and only
 * the shape changes. Typically between the convolutions and the `dense` head.
 *
 * - TF.js / Keras: `tf.layers.flatten()` (channels last, the same order).
 * - PyTorch: `nn.Flatten()` (on NCHW, whose order differs).
 *
 * @example
 * ```ts
 * import { createRegistry } from '@gradstream/graph';
 * import { flattenOp } from '@gradstream/ops';
 * createRegistry([flattenOp]).has('flatten'); // true
 * ```
 */
export const flattenOp = defineOp({
  name: 'flatten',
  description: 'each sample as one row, [batch, …] → [batch, product]',
  inputs: ['x'],
  save: {},
  outputShape: ([x]) => flatShape(x),
  forward({ inputs: { x }, out, backend }) {
    backend.copy(x.data, out.data);
  },
  backward({ dy, dInputs, backend }) {
    if (dInputs.x) backend.copy(dy.data, dInputs.x.data);
  },
  gradcheckCase: (rng) => ({ config: {}, inputShapes: [[1 + rng.int(3), 1 + rng.int(4), 1 + rng.int(4), 1 + rng.int(3)]] }),
});

/**
 * A {@link flattenOp} layer: `[batch, …]` → `[batch, product]`.
 *
 * @example
 * ```ts
 * import { flatten } from '@gradstream/ops';
 * flatten(); // { op: 'flatten' }
 * ```
 */
export function flatten(options: LayerOptions = {}): LayerSpec {
  return { op: flattenOp.name, ...options };
}
