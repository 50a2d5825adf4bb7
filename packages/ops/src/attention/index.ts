import type { AnyOpPlugin } from '@gradstream/graph';
import { multiHeadAttentionOp } from './multi-head-attention.js';
import { positionEmbeddingOp } from './position-embedding.js';

export { multiHeadAttention, multiHeadAttentionOp, type MultiHeadAttentionConfig } from './multi-head-attention.js';
export { positionEmbedding, positionEmbeddingOp, type PositionEmbeddingConfig } from './position-embedding.js';

/**
 * The op plugins of multi-head attention, registered with the other built-in ops.
 *
 * @example
 * ```ts
 * import { ATTENTION_OPS } from '@gradstream/ops';
 * console.log(ATTENTION_OPS.map((op) => op.name)); // ['multiHeadAttention', 'positionEmbedding']
 * ```
 */
export const ATTENTION_OPS: readonly AnyOpPlugin[] = Object.freeze([multiHeadAttentionOp, positionEmbeddingOp]);
