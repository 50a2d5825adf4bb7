import type { LayerSpec } from '@gradstream/graph';
import { elementwiseOp } from './elementwise-op.js';
import type { LayerOptions } from './layer-options.js';

/**
 * Logistic sigmoid `σ(z) = 1 / (1 + e^(−z))`, elementwise (`UNARY_OPS.sigmoid`).
 *
 * Forward keeps its output `a = σ(z)`, because the local derivative is `σ′(z) = a·(1 − a)`:
 * backward multiplies the incoming signal by it, `∂L/∂z = ∂L/∂a · a·(1 − a)`, without
 * recomputing the exponential.
 *
 * @example
 * ```ts
 * import { createRegistry } from '@gradstream/graph';
 * import { sigmoidOp } from '@gradstream/ops';
 * createRegistry([sigmoidOp]).has('sigmoid'); // true
 * ```
 */
export const sigmoidOp = elementwiseOp('sigmoid', {
  fillInput: (_i, d, r) => {
    for (let j = 0; j < d.length; j++) d[j] = r.uniform(-4, 4);
  },
});

/**
 * A {@link sigmoidOp} layer.
 *
 * @example
 * ```ts
 * import { sigmoid } from '@gradstream/ops';
 * sigmoid(); // { op: 'sigmoid' }
 * ```
 */
export function sigmoid(options: LayerOptions = {}): LayerSpec {
  return { op: sigmoidOp.name, ...options };
}
