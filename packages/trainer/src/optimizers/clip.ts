import { tsBackend, type Backend, type Tensor } from '@gradstream/tensor';
import { numberOption, type OptionRange } from '../check-option.js';

const POSITIVE: OptionRange = { above: 0 };

/**
 * Clips gradients by their global norm: when `‖g‖ = sqrt(Σ over all tensors of Σ g²)` exceeds
 * `maxNorm`, every gradient is scaled in place by `maxNorm / ‖g‖`, so the direction is kept and
 * the global norm becomes `maxNorm` (as TensorFlow's `clip_by_global_norm`). Gradients at or
 * below the limit are left untouched, and so are non-finite ones (scaling cannot repair them;
 * the divergence guard of `fit` reports them).
 *
 * @example
 * ```ts
 * import { Tensor } from '@gradstream/tensor';
 * import { clipGlobalNorm } from '@gradstream/trainer';
 * const grads = [Tensor.from([3]), Tensor.from([4])];
 * clipGlobalNorm(grads, 1); // 5; grads are now [0.6] and [0.8]
 * ```
 * @param grads - the gradients, scaled in place
 * @param maxNorm - the largest allowed global norm (positive)
 * @param backend - the kernels to compute with (the model's backend; default the TypeScript one)
 * @returns the global norm before clipping
 */
export function clipGlobalNorm(grads: readonly Tensor[], maxNorm: number, backend: Backend = tsBackend): number {
  numberOption('clipGlobalNorm', 'maxNorm', maxNorm, POSITIVE);
  let squares = 0;
  for (let k = 0; k < grads.length; k++) squares += backend.sumSquares((grads[k] as Tensor).data);
  const norm = Math.sqrt(squares);
  if (norm > maxNorm && Number.isFinite(norm)) {
    const s = maxNorm / norm;
    for (let k = 0; k < grads.length; k++) {
      const d = (grads[k] as Tensor).data;
      backend.scale(d, s, d);
    }
  }
  return norm;
}
