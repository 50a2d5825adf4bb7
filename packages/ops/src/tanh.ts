import { defineOp, type LayerSpec } from '@gradstream/graph';
import { kernelSource as k, sizeOf, type Shape } from '@gradstream/tensor';
import type { LayerOptions } from './layer-options.js';

/**
 * Hyperbolic tangent `a = tanh(z)`, elementwise.
 *
 * Forward saves its output, because the local derivative is `1 − a²`: backward multiplies the
 * incoming signal by it, `∂L/∂z = ∂L/∂a · (1 − a²)`, without recomputing the tanh.
 *
 * @example
 * ```ts
 * import { createRegistry } from '@gradstream/graph';
 * import { tanhOp } from '@gradstream/ops';
 * createRegistry([tanhOp]).has('tanh'); // true
 * ```
 */
export const tanhOp = defineOp({
  name: 'tanh',
  description: 'hyperbolic tangent a = tanh(z), elementwise',
  inputs: ['x'],
  save: { output: true },
  outputShape: ([x]: readonly Shape[]) => x as Shape,
  forward({ inputs: { x }, out, backend }) {
    backend.tanh(x.data, out.data);
  },
  backward({ dy, saved, dInputs, backend }) {
    if (dInputs.x) backend.tanhBackward((saved.output as { data: Float32Array | Float64Array }).data, dy.data, dInputs.x.data);
  },
  emit: ({ inputs: { x }, out, dy, dInputs, outputShape }) => ({
    forward: k.tanh(x, out, sizeOf(outputShape)),
    backward: dInputs.x ? k.tanhBackward(out, dy, dInputs.x, sizeOf(outputShape)) : '',
  }),
  gradcheckCase: (rng) => ({ config: {}, inputShapes: [[1 + rng.int(5), 1 + rng.int(6)]], fillInput: (_i, d, r) => {
    for (let j = 0; j < d.length; j++) d[j] = r.uniform(-3, 3);
  } }),
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
