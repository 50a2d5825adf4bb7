import type { AnyOpPlugin } from '@gradstream/graph';
import { huberOp } from './huber.js';
import { maeOp } from './mae.js';
import { sigmoidCrossEntropyOp } from './sigmoid-cross-entropy.js';

export { huber, huberOp, type HuberConfig } from './huber.js';
export { lossRows } from './loss-rows.js';
export { mae, maeOp } from './mae.js';
export { sigmoidCrossEntropy, sigmoidCrossEntropyOp } from './sigmoid-cross-entropy.js';

/** The op plugins of losses beyond MSE and softmax cross-entropy, registered with the other built-in ops. */
export const LOSS_OPS: readonly AnyOpPlugin[] = Object.freeze([sigmoidCrossEntropyOp, maeOp, huberOp]);
