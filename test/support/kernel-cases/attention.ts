import type { AttentionKernels } from '@gradstream/tensor';
import type { KernelFuzz } from '../kernel-fuzz.js';

/** Fuzz cases of the attention kernels, one per kernel, each against a naive float64 reference. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const ATTENTION_CASES: { readonly [K in keyof AttentionKernels]: KernelFuzz<any> } = {};
