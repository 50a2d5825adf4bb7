import type { NormKernels } from '../backend/kernels-norm.js';

/** The TypeScript reference implementations of the {@link NormKernels}. */
export const NORM_TS_KERNELS: NormKernels = {};
