import type { LayerSpec } from '@gradstream/graph';
import { elementwiseOp } from './elementwise-op.js';
import type { LayerOptions } from './layer-options.js';

/**
 * Hyperbolic tangent `a = tanh(z)`, elementwise (`UNARY_OPS.tanh`).
 *
 * Forward keeps its output; backward uses `tanh′(z) = 1 − a²`, so `∂L/∂z = ∂L/∂a · (1 − a²)`.
 *
 * @example
 * ```ts
 * import { createRegistry } from '@gradstream/graph';
 * import { tanhOp } from '@gradstream/ops';
 * createRegistry([tanhOp]).has('tanh'); // true
 * ```
 */
export const tanhOp = elementwiseOp('tanh', {
  fillInput: (_i, d, r) => {
    for (let j = 0; j < d.length; j++) d[j] = r.uniform(-3, 3);
  },
});

/**
 * A {@link tanhOp} layer.
 *
 * @example
 * ```ts
 * import { tanh } from '@gradstream/ops';
 * tanh(); // { op: 'tanh' }
 * ```
 */
export function tanh(options: LayerOptions = {}): LayerSpec {
  return { op: tanhOp.name, ...options };
}
