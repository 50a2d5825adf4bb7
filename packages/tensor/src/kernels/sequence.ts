import type { SequenceKernels } from '../backend/kernels-sequence.js';

/** The TypeScript reference implementations of the {@link SequenceKernels}. */
export const SEQUENCE_TS_KERNELS: SequenceKernels = {};
