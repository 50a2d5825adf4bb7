import type { SequenceKernels } from '../backend/kernels-sequence.js';
import { copyBlocks } from './sequence/copy-blocks.js';
import { gatherRows, scatterAddRows } from './sequence/gather-rows.js';
import { gruCell, gruCellBackward } from './sequence/gru-cell.js';
import { lstmCell, lstmCellBackward } from './sequence/lstm-cell.js';

export { copyBlocks, gatherRows, gruCell, gruCellBackward, lstmCell, lstmCellBackward, scatterAddRows };

/**
 * The TypeScript reference implementations of the {@link SequenceKernels}.
 *
 * @example
 * ```ts
 * import { SEQUENCE_TS_KERNELS } from '@gradstream/tensor';
 * const out = new Float32Array(2);
 * SEQUENCE_TS_KERNELS.gatherRows(new Float32Array([1, 2, 3, 4]), new Float32Array([1]), out, 1, 1, 2, 2); // out = [3, 4]
 * ```
 */
export const SEQUENCE_TS_KERNELS: SequenceKernels = { gatherRows, scatterAddRows, copyBlocks, gruCell, gruCellBackward, lstmCell, lstmCellBackward };
