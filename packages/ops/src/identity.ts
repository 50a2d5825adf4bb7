import type { LayerSpec } from '@gradstream/graph';
import { elementwiseOp } from './elementwise-op.js';
import type { LayerOptions } from './layer-options.js';

/**
 * Identity `a = z`: passes its input through unchanged, and its gradient back unchanged. Useful
 * as a named tap on a value (its own node, value and gradient signal in traces).
 *
 * @example
 * ```ts
 * import { createRegistry } from '@gradstream/graph';
 * import { identityOp } from '@gradstream/ops';
 * createRegistry([identityOp]).has('identity'); // true
 * ```
 */
export const identityOp = elementwiseOp('identity');

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
