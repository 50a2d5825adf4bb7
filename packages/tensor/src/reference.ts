/**
 * Reference implementations, for tests and for reading: the elementwise definitions of
 * {@link UNARY_OPS} evaluated by walking their expressions, not by generated kernels. The kernels
 * the backends run are held to these; no training step calls them, so they are kept out of the
 * package's main entry (and of the browser bundle).
 *
 * @example
 * ```ts
 * import { UNARY_OPS } from '@gradstream/tensor';
 * import { interpret } from '@gradstream/tensor/reference';
 * interpret(UNARY_OPS.relu.forward)({ x: -2, y: 0, dy: 0, p: 0 }); // 0
 * ```
 *
 * @packageDocumentation
 * @module reference
 */
import type { UNARY_OPS } from './math/unary-ops.js';

export { interpret } from './math/expr.js';
export { interpretedUnaryKernels } from './kernels/unary.js';
