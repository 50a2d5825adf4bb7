import { defineOp, type LayerSpec } from '@gradstream/graph';
import { kernelSource as k, sizeOf, type Shape } from '@gradstream/tensor';
import type { LayerOptions } from './layer-options.js';

/**
 * Identity `y = x`: copies its input and passes the gradient signal back unchanged. Useful as a
 * named tap on a value, or as the "activation" of a linear output layer in a spec.
 *
 * @example
 * ```ts
 * import { createRegistry } from '@gradstream/graph';
 * import { identityOp } from '@gradstream/ops';
 * createRegistry([identityOp]).has('identity'); // true
 * ```
 */
export const identityOp = defineOp({
  name: 'identity',
  description: 'identity y = x',
  inputs: ['x'],
  save: {},
  outputShape: ([x]: readonly Shape[]) => x as Shape,
  forward({ inputs: { x }, out }) {
    out.data.set(x.data);
  },
  backward({ dy, dInputs }) {
    dInputs.x?.data.set(dy.data);
  },
  emit: ({ inputs: { x }, out, dy, dInputs, outputShape }) => ({
    forward: k.copy(x, out, sizeOf(outputShape)),
    backward: dInputs.x ? k.copy(dy, dInputs.x, sizeOf(outputShape)) : '',
  }),
  gradcheckCase: (rng) => ({ config: {}, inputShapes: [[1 + rng.int(5), 1 + rng.int(6)]] }),
});

/**
 * An {@link identityOp} layer.
 *
 * @example
 * ```ts
 * import { identity } from '@gradstream/ops';
 * identity({ name: 'features' }); // { op: 'identity', name: 'features' }
 * ```
 */
export function identity(options: LayerOptions = {}): LayerSpec {
  return { op: identityOp.name, ...options };
}
