import type { AnyOpPlugin } from '@gradstream/graph';
import { concatOp } from './concat.js';
import { embeddingOp } from './embedding.js';
import { gruOp } from './gru.js';
import { lstmOp } from './lstm.js';

export { concat, concatOp, type ConcatConfig } from './concat.js';
export { embedding, embeddingOp, type EmbeddingConfig } from './embedding.js';
export { gru, gruOp, type GruConfig } from './gru.js';
export { lstm, lstmOp, type LstmConfig } from './lstm.js';
export type { RecurrentConfig } from './recurrent.js';

/**
 * The op plugins of embeddings, concatenation and recurrent layers, registered with the other built-in ops.
 *
 * @example
 * ```ts
 * import { SEQUENCE_OPS } from '@gradstream/ops';
 * SEQUENCE_OPS.map((op) => op.name); // ['embedding', 'concat', 'gru', 'lstm']
 * ```
 */
export const SEQUENCE_OPS: readonly AnyOpPlugin[] = Object.freeze([embeddingOp, concatOp, gruOp, lstmOp]);
