import type { AnyOpPlugin } from '@gradstream/graph';

/** The op plugins of losses beyond MSE and softmax cross-entropy, registered with the other built-in ops. */
export const LOSS_OPS: readonly AnyOpPlugin[] = Object.freeze([]);
