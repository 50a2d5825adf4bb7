import type { AnyOpPlugin } from '@gradstream/graph';
import { batchNormOp } from './batch-norm.js';
import { layerNormOp } from './layer-norm.js';

export { batchNorm, batchNormOp, type BatchNormConfig } from './batch-norm.js';
export { layerNorm, layerNormOp, type LayerNormConfig } from './layer-norm.js';

/** The op plugins of batch and layer normalization, registered with the other built-in ops. */
export const NORM_OPS: readonly AnyOpPlugin[] = Object.freeze([batchNormOp, layerNormOp]);
