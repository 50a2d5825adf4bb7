import type { AttentionKernels } from '../backend/kernels-attention.js';

/** The TypeScript reference implementations of the {@link AttentionKernels}. */
export const ATTENTION_TS_KERNELS: AttentionKernels = {};
