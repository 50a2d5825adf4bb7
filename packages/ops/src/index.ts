/**
 * The built-in op plugins. Importing this package registers them in the default registry;
 * {@link builtinOps} lists them for isolated registries.
 *
 * @packageDocumentation
 */
import { defaultRegistry, type AnyOpPlugin } from '@gradstream/graph';
import { linearOp } from './linear.js';
import { mseOp } from './mse.js';
import { sigmoidOp } from './sigmoid.js';

export type { LayerOptions } from './layer-options.js';
export { linear, linearOp, type LinearConfig } from './linear.js';
export { sigmoid, sigmoidOp } from './sigmoid.js';
export { mse, mseOp } from './mse.js';

/**
 * Every built-in op plugin, one entry per op (a test checks the names are unique).
 *
 * @example
 * ```ts
 * import { createRegistry } from '@gradstream/graph';
 * import { builtinOps } from '@gradstream/ops';
 * const registry = createRegistry(builtinOps);
 * ```
 */
export const builtinOps: readonly AnyOpPlugin[] = Object.freeze([linearOp, sigmoidOp, mseOp]);

for (const op of builtinOps) if (!defaultRegistry.has(op.name)) defaultRegistry.register(op);
