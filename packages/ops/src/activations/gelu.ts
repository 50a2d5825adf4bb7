import type { LayerSpec } from '@gradstream/graph';
import { elementwiseOp } from '../elementwise-op.js';
import type { LayerOptions } from '../layer-options.js';

/**
 * Gaussian error linear unit in its tanh form, elementwise (`UNARY_OPS.gelu`):
 * `a = ½·z·(1 + tanh(√(2/π)·(z + 0.044715·z³)))`, PyTorch's `gelu(approximate='tanh')` and the
 * activation of GPT-2 and BERT. (The erf form, PyTorch's default, differs from it by under 1e-3.)
 *
 * Forward keeps its input, because the derivative is read from z:
 * `∂L/∂z = ∂L/∂a · (σ(v) + z·σ(v)·σ(−v)·v′)` with `v = 2·√(2/π)·(z + 0.044715·z³)`. Large |z| neither
 * overflows nor cancels: `gelu(z)` is `z` for z ≫ 0 and a tiny negative number (then −0) for z ≪ 0.
 *
 * @example
 * ```ts
 * import { createRegistry } from '@gradstream/graph';
 * import { geluOp } from '@gradstream/ops';
 * createRegistry([geluOp]).has('gelu'); // true
 * ```
 */
export const geluOp = elementwiseOp('gelu', {
  fillInput: (_i, d, r) => {
    for (let j = 0; j < d.length; j++) d[j] = r.uniform(-4, 4);
  },
});

/**
 * A {@link geluOp} layer; `dense({ activation: 'gelu' })` fuses the same function into a linear layer.
 *
 * @example
 * ```ts
 * import { gelu } from '@gradstream/ops';
 * gelu(); // { op: 'gelu' }
 * ```
 */
export function gelu(options: LayerOptions = {}): LayerSpec {
  return { op: geluOp.name, ...options };
}
