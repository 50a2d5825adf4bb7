import type { NormKernels } from '../backend/kernels-norm.js';
import { batchNorm, batchNormBackward } from './norm/batch-norm.js';
import { columnMoments } from './norm/column-moments.js';
import { layerNorm, layerNormBackward } from './norm/layer-norm.js';
import { movingAverage } from './norm/moving-average.js';

export { batchNorm, batchNormBackward, columnMoments, layerNorm, layerNormBackward, movingAverage };

/**
 * The TypeScript reference implementations of the {@link NormKernels}.
 *
 * @example
 * ```ts
 * import { NORM_TS_KERNELS } from '@gradstream/tensor';
 * const average = new Float32Array([0]);
 * NORM_TS_KERNELS.movingAverage(average, new Float32Array([1]), 0.9); // average ≈ [0.1]
 * ```
 */
export const NORM_TS_KERNELS: NormKernels = { columnMoments, movingAverage, batchNorm, batchNormBackward, layerNorm, layerNormBackward };
