import { defineOp, type LayerSpec } from '@gradstream/graph';
import { kernelSource as k, sizeOf } from '@gradstream/tensor';
import type { LayerOptions } from './layer-options.js';

/**
 * Logistic sigmoid `σ(z) = 1 / (1 + e^(−z))`, elementwise.
 *
 * Forward saves its output `a = σ(z)`, because the local derivative is `σ′(z) = a·(1 − a)`:
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
export const sigmoidOp = defineOp({
  name: 'sigmoid',
  description: 'logistic sigmoid a = 1 / (1 + e^(−z)), elementwise',
  inputs: ['x'],
  save: { output: true },
  outputShape: ([x]: readonly (readonly number[])[]) => x as readonly number[],
  forward({ inputs: { x }, out, backend }) {
    backend.sigmoid(x.data, out.data);
  },
  backward({ dy, saved, dInputs, backend }) {
    if (dInputs.x) backend.sigmoidBackward((saved.output as { data: Float32Array | Float64Array }).data, dy.data, dInputs.x.data);
  },
  emit: ({ inputs: { x }, out, dy, dInputs, outputShape }) => ({
    forward: k.sigmoid(x, out, sizeOf(outputShape)),
    backward: dInputs.x ? k.sigmoidBackward(out, dy, dInputs.x, sizeOf(outputShape)) : '',
  }),
  gradcheckCase: (rng) => ({ config: {}, inputShapes: [[1 + rng.int(5), 1 + rng.int(6)]], fillInput: (_i, d, r) => {
    for (let j = 0; j < d.length; j++) d[j] = r.uniform(-4, 4);
  } }),
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
