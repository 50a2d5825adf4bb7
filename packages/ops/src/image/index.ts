import type { AnyOpPlugin } from '@gradstream/graph';
import { avgPool2dOp } from './avg-pool2d.js';
import { conv2dOp } from './conv2d.js';
import { flattenOp } from './flatten.js';
import { globalAvgPoolOp } from './global-avg-pool.js';
import { maxPool2dOp } from './max-pool2d.js';
import { reshapeOp } from './reshape.js';

export { avgPool2d, avgPool2dOp } from './avg-pool2d.js';
export { conv2d, conv2dOp, type Conv2dConfig } from './conv2d.js';
export { flatten, flattenOp } from './flatten.js';
export { globalAvgPool, globalAvgPoolOp } from './global-avg-pool.js';
export { maxPool2d, maxPool2dOp } from './max-pool2d.js';
export type { Pool2dConfig } from './pool2d-config.js';
export { reshape, reshapeOp, type ReshapeConfig } from './reshape.js';
export type { Padding, Size2 } from './window-geometry.js';

/**
 * The op plugins of convolution, pooling and reshaping of NHWC images, registered with the other built-in ops.
 *
 * @example
 * ```ts
 * import { IMAGE_OPS } from '@gradstream/ops';
 * IMAGE_OPS.map((op) => op.name); // ['conv2d', 'maxPool2d', 'avgPool2d', 'globalAvgPool', 'flatten', 'reshape']
 * ```
 */
export const IMAGE_OPS: readonly AnyOpPlugin[] = Object.freeze([conv2dOp, maxPool2dOp, avgPool2dOp, globalAvgPoolOp, flattenOp, reshapeOp]);
