import { defineOp, type LayerSpec } from '@gradstream/graph';
import { kernelSource as k, sizeOf, type Rng, type Shape } from '@gradstream/tensor';
import type { LayerOptions } from './layer-options.js';

/**
 * Rectified linear unit `a = max(0, z)`, elementwise.
 *
 * Forward saves its output: `a > 0` exactly where `z > 0`, so backward passes the incoming signal
 * through there and blocks it elsewhere, `∂L/∂z = ∂L/∂a · [z > 0]` (the derivative at the kink
 * `z = 0` is taken as 0).
 *
 * @example
 * ```ts
 * import { createRegistry } from '@gradstream/graph';
 * import { reluOp } from '@gradstream/ops';
 * createRegistry([reluOp]).has('relu'); // true
 * ```
 */
export const reluOp = defineOp({
  name: 'relu',
  description: 'rectified linear unit a = max(0, z), elementwise',
  inputs: ['x'],
  save: { output: true },
  outputShape: ([x]: readonly Shape[]) => x as Shape,
  forward({ inputs: { x }, out, backend }) {
    backend.relu(x.data, out.data);
  },
  backward({ dy, saved, dInputs, backend }) {
    if (dInputs.x) backend.reluBackward((saved.output as { data: Float32Array | Float64Array }).data, dy.data, dInputs.x.data);
  },
  emit: ({ inputs: { x }, out, dy, dInputs, outputShape }) => ({
    forward: k.relu(x, out, sizeOf(outputShape)),
    backward: dInputs.x ? k.reluBackward(out, dy, dInputs.x, sizeOf(outputShape)) : '',
  }),
  gradcheckCase: (rng) => ({ config: {}, inputShapes: [[1 + rng.int(5), 1 + rng.int(6)]], fillInput: awayFromKink }),
});

/**
 * Fills an input with values of magnitude in [0.05, 1] and random sign, so a finite difference
 * with step 1e-3 never straddles a kink at 0 (ReLU and its relatives).
 */
export function awayFromKink(_index: number, data: Float64Array, rng: Rng): void {
  for (let j = 0; j < data.length; j++) data[j] = (rng.next() < 0.5 ? -1 : 1) * rng.uniform(0.05, 1);
}

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
