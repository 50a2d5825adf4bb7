import type { AnyOpPlugin } from '@gradstream/graph';

/** The op plugins of elementwise activations beyond the first five, registered with the other built-in ops. */
export const ACTIVATION_OPS: readonly AnyOpPlugin[] = Object.freeze([]);
