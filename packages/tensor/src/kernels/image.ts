import type { ImageKernels } from '../backend/kernels-image.js';

/** The TypeScript reference implementations of the {@link ImageKernels}. */
export const IMAGE_TS_KERNELS: ImageKernels = {};
