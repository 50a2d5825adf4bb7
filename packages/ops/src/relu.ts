import type { LayerSpec } from '@gradstream/graph';
import type { Rng } from '@gradstream/tensor';
import { elementwiseOp } from './elementwise-op.js';
import type { LayerOptions } from './layer-options.js';

/**
 * Fills an input with values of magnitude in [0.05, 1] and random sign, so a finite difference
 * with step 1e-3 never straddles a kink at 0 (ReLU and its relatives).
 *
 * @example
 * ```ts
 * import { Rng } from '@gradstream/tensor';
 * import { awayFromKink } from '@gradstream/ops';
 * const d = new Float64Array(4);
 * awayFromKink(0, d, Rng.fromSeed(1)); // every |d[i]| ≥ 0.05
 * ```
 */
export function awayFromKink(_index: number, data: Float64Array, rng: Rng): void {
  for (let j = 0; j < data.length; j++) data[j] = (rng.next() < 0.5 ? -1 : 1) * rng.uniform(0.05, 1);
}

/**
 * Rectified linear unit `a = max(0, z)`, elementwise (`UNARY_OPS.relu`).
 *
 * Forward keeps its output: `a > 0` exactly where `z > 0`, so backward passes the incoming signal
 * through there and blocks it elsewhere, `∂L/∂z = ∂L/∂a · [z > 0]` (the derivative at the kink
 * `z = 0` is taken as 0). A NaN input stays NaN, in `dense` as here.
 *
 * @example
 * ```ts
 * import { createRegistry } from '@gradstream/graph';
 * import { reluOp } from '@gradstream/ops';
 * createRegistry([reluOp]).has('relu'); // true
 * ```
 */
export const reluOp = elementwiseOp('relu', { fillInput: awayFromKink });

/**
 * A {@link reluOp} layer.
 *
 * @example
 * ```ts
 * import { relu } from '@gradstream/ops';
 * relu(); // { op: 'relu' }
 * ```
 */
export function relu(options: LayerOptions = {}): LayerSpec {
  return { op: reluOp.name, ...options };
}
