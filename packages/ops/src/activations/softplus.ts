import type { LayerSpec } from '@gradstream/graph';
import { elementwiseOp } from '../elementwise-op.js';
import type { LayerOptions } from '../layer-options.js';

/**
 * Softplus `a = log(1 + e^z)`, elementwise (`UNARY_OPS.softplus`): a smooth ReLU, always positive.
 *
 * Written `max(z, 0) + log1p(e^(−|z|))`, so no exponential overflows (`softplus(1000) = 1000`) and
 * small values keep their precision (`softplus(−40) ≈ e^(−40)`, not 0). Forward keeps its input;
 * the derivative is the logistic sigmoid, `∂L/∂z = ∂L/∂a · σ(z)`. Unlike PyTorch's `Softplus` there
 * is no `beta` and no threshold past which it returns z: the formula above is exact everywhere.
 *
 * @example
 * ```ts
 * import { createRegistry } from '@gradstream/graph';
 * import { softplusOp } from '@gradstream/ops';
 * createRegistry([softplusOp]).has('softplus'); // true
 * ```
 */
export const softplusOp = elementwiseOp('softplus', {
  fillInput: (_i, d, r) => {
    for (let j = 0; j < d.length; j++) d[j] = r.uniform(-5, 5);
  },
});

/**
 * A {@link softplusOp} layer; `dense({ activation: 'softplus' })` fuses the same function into a linear layer.
 *
 * @example
 * ```ts
 * import { softplus } from '@gradstream/ops';
 * softplus(); // { op: 'softplus' }
 * ```
 */
export function softplus(options: LayerOptions = {}): LayerSpec {
  return { op: softplusOp.name, ...options };
}
