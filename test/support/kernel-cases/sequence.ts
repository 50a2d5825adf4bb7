import type { SequenceKernels } from '@gradstream/tensor';
import type { KernelFuzz } from '../kernel-fuzz.js';

/** Fuzz cases of the sequence kernels, one per kernel, each against a naive float64 reference. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const SEQUENCE_CASES: { readonly [K in keyof SequenceKernels]: KernelFuzz<any> } = {};
