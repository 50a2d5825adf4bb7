import type { AnyOpPlugin } from '@gradstream/graph';

/** The op plugins of multi-head attention, registered with the other built-in ops. */
export const ATTENTION_OPS: readonly AnyOpPlugin[] = Object.freeze([]);
