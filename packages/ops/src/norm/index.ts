import type { AnyOpPlugin } from '@gradstream/graph';

/** The op plugins of batch and layer normalization, registered with the other built-in ops. */
export const NORM_OPS: readonly AnyOpPlugin[] = Object.freeze([]);
