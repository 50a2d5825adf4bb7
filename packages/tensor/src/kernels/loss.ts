import type { LossKernels } from '../backend/kernels-loss.js';

/** The TypeScript reference implementations of the {@link LossKernels}. */
export const LOSS_TS_KERNELS: LossKernels = {};
