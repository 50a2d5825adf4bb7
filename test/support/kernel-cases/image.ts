import type { ImageKernels } from '@gradstream/tensor';
import type { KernelFuzz } from '../kernel-fuzz.js';

/** Fuzz cases of the image kernels, one per kernel, each against a naive float64 reference. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const IMAGE_CASES: { readonly [K in keyof ImageKernels]: KernelFuzz<any> } = {};
