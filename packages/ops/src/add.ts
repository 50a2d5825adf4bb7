import { defineOp, expectSameShape, type LayerSpec } from '@gradstream/graph';
import type { Shape } from '@gradstream/tensor';
import type { LayerOptions } from './layer-options.js';

/**
 * Elementwise sum `y = a + b` of two values of the same shape.
 *
 * Backward hands the incoming signal to both inputs unchanged (`∂L/∂a = ∂L/∂b = dy`). Reading
 * two values makes a model a DAG, e.g. a residual connection: the engine sums the gradient
 * contributions of a value that several nodes read.
 *
 * @example
 * ```ts
 * import { sequential } from '@gradstream/graph';
 * import { add, linear, mse, tanh } from '@gradstream/ops';
 * const model = sequential(
 *   [linear({ inFeatures: 4, outFeatures: 4 }), tanh(), add({ inputs: ['x', 'tanh_1'] }), linear({ inFeatures: 4, outFeatures: 1 })],
 *   { inputShape: [4], loss: mse() },
 * );
 * ```
 */
export const addOp = defineOp({
  name: 'add',
  description: 'elementwise sum y = a + b of two values of the same shape',
  inputs: ['a', 'b'],
  save: {},
  outputShape: ([a, b]: readonly Shape[]) => {
    expectSameShape('a', a, 'b', b);
    return a as Shape;
  },
  forward({ inputs: { a, b }, out, backend }) {
    backend.add(a.data, b.data, out.data);
  },
  backward({ dy, dInputs, backend }) {
    if (dInputs.a) backend.copy(dy.data, dInputs.a.data);
    if (dInputs.b) backend.copy(dy.data, dInputs.b.data);
  },
  gradcheckCase: (rng) => {
    const shape = [1 + rng.int(5), 1 + rng.int(6)];
    return { config: {}, inputShapes: [shape, shape] };
  },
});

/**
 * An {@link addOp} layer; `inputs` names the two values to add (node names, or `x`).
 *
 * @example
 * ```ts
 * import { add } from '@gradstream/ops';
 * add({ inputs: ['linear_1', 'linear_3'] }); // { op: 'add', inputs: ['linear_1', 'linear_3'] }
 * ```
 */
export function add(options: LayerOptions & { readonly inputs: readonly [string, string] }): LayerSpec {
  return { op: addOp.name, ...options };
}
