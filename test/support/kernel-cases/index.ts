import { ATTENTION_CASES } from './attention.js';
import { IMAGE_CASES } from './image.js';
import { LOSS_CASES } from './loss.js';
import { NORM_CASES } from './norm.js';
import { SEQUENCE_CASES } from './sequence.js';

/** The fuzz cases of every layer family's kernels, merged into the kernel table of test/fuzz-kernels.test.ts. */
export const LAYER_KERNEL_CASES = { ...IMAGE_CASES, ...NORM_CASES, ...SEQUENCE_CASES, ...ATTENTION_CASES, ...LOSS_CASES };
