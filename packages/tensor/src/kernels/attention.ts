import type { AttentionKernels } from '../backend/kernels-attention.js';
import { batchMatmul } from './attention/batch-matmul.js';
import { causalMask } from './attention/causal-mask.js';
import { transposeHeads } from './attention/transpose-heads.js';

export { batchMatmul, causalMask, transposeHeads };

/**
 * The TypeScript reference implementations of the {@link AttentionKernels}.
 *
 * @example
 * ```ts
 * import { ATTENTION_TS_KERNELS } from '@gradstream/tensor';
 * const scores = new Float64Array(4);
 * ATTENTION_TS_KERNELS.causalMask(scores, 1, 2); // scores = [0, -Infinity, 0, 0]
 * ```
 */
export const ATTENTION_TS_KERNELS: AttentionKernels = { batchMatmul, transposeHeads, causalMask };
