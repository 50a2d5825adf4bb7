import { defineOp, shapeError, type LayerSpec } from '@gradstream/graph';
import type { Shape } from '@gradstream/tensor';
import type { LayerOptions } from './layer-options.js';

/**
 * Softmax over the last axis: `y_j = e^(x_j) / Σ_k e^(x_k)` for each row (every index of the
 * leading axes), computed with the row maximum subtracted so large inputs do not overflow.
 *
 * Forward saves its output; backward is `∂L/∂x = y ⊙ (dy − Σ_k dy_k · y_k)` per row. To train a
 * classifier, prefer the fused {@link softmaxCrossEntropyOp} loss on the logits: it is more
 * stable and cheaper than this op followed by a separate cross-entropy.
 *
 * @example
 * ```ts
 * import { createRegistry } from '@gradstream/graph';
 * import { softmaxOp } from '@gradstream/ops';
 * createRegistry([softmaxOp]).has('softmax'); // true
 * ```
 */
export const softmaxOp = defineOp({
  name: 'softmax',
  description: 'softmax over the last axis, y = e^x / Σ e^x per row',
  inputs: ['x'],
  save: { output: true },
  outputShape: ([x]: readonly Shape[]) => {
    if (x === undefined || x.length < 2) shapeError('x', '[batch,...,classes] (rank ≥ 2)', x ?? []);
    return x;
  },
  forward({ inputs: { x }, out, backend }) {
    const cols = x.shape[x.shape.length - 1] as number;
    backend.softmaxRows(x.data, out.data, x.size / cols, cols);
  },
  backward({ dy, saved, dInputs, backend }) {
    const dx = dInputs.x;
    if (dx === undefined) return;
    const cols = dx.shape[dx.shape.length - 1] as number;
    backend.softmaxRowsBackward(saved.output.data, dy.data, dx.data, dx.size / cols, cols);
  },
  gradcheckCase: (rng) => {
    const shape = [1 + rng.int(4), 1 + rng.int(5)];
    // Sometimes a third axis, so rows over several leading axes are covered.
    if (rng.next() < 0.5) shape.push(1 + rng.int(4));
    return { config: {}, inputShapes: [shape], fillInput: (_i, d, r) => {
      for (let j = 0; j < d.length; j++) d[j] = r.uniform(-3, 3);
    } };
  },
});

/**
 * A {@link softmaxOp} layer.
 *
 * @example
 * ```ts
 * import { softmax } from '@gradstream/ops';
 * softmax(); // { op: 'softmax' }
 * ```
 */
export function softmax(options: LayerOptions = {}): LayerSpec {
  return { op: softmaxOp.name, ...options };
}
