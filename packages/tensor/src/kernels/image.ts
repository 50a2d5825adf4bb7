import type { ImageKernels } from '../backend/kernels-image.js';
import { avgPool2d, avgPool2dBackward } from './image/avg-pool2d.js';
import { conv2dForward } from './image/conv2d-forward.js';
import { col2im, im2col } from './image/im2col.js';
import { maxPool2d, maxPool2dBackward } from './image/max-pool2d.js';

export { avgPool2d, avgPool2dBackward } from './image/avg-pool2d.js';
export { conv2dForward } from './image/conv2d-forward.js';
export { col2im, im2col } from './image/im2col.js';
export { maxPool2d, maxPool2dBackward } from './image/max-pool2d.js';

/**
 * The TypeScript reference implementations of the {@link ImageKernels}, spread into `tsBackend`.
 *
 * @example
 * ```ts
 * import { IMAGE_TS_KERNELS } from '@gradstream/tensor';
 * Object.keys(IMAGE_TS_KERNELS); // ['im2col', 'col2im', 'conv2dForward', 'maxPool2d', 'maxPool2dBackward', 'avgPool2d', 'avgPool2dBackward']
 * ```
 */
export const IMAGE_TS_KERNELS: ImageKernels = { im2col, col2im, conv2dForward, maxPool2d, maxPool2dBackward, avgPool2d, avgPool2dBackward };
