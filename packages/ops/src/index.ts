/**
 * The built-in op plugins. Importing this package registers them in the default registry;
 * {@link builtinOps} lists them for isolated registries.
 *
 * @packageDocumentation
 */
import { defaultRegistry, type AnyOpPlugin } from '@gradstream/graph';
import { linearOp } from './linear.js';
import { mseOp } from './mse.js';
import { sigmoidOp } from './sigmoid.js';
import { reluOp } from './relu.js';
import { leakyReluOp } from './leaky-relu.js';
import { tanhOp } from './tanh.js';
import { identityOp } from './identity.js';
import { softmaxOp } from './softmax.js';
import { softmaxCrossEntropyOp } from './softmax-cross-entropy.js';
import { dropoutOp } from './dropout.js';
import { addOp } from './add.js';
import { denseOp } from './dense.js';
import { IMAGE_OPS } from './image/index.js';
import { NORM_OPS } from './norm/index.js';
import { SEQUENCE_OPS } from './sequence/index.js';
import { ATTENTION_OPS } from './attention/index.js';
import { ACTIVATION_OPS } from './activations/index.js';
import { LOSS_OPS } from './losses/index.js';

export type { LayerOptions } from './layer-options.js';
export { linear, linearOp, type LinearConfig } from './linear.js';
export { sigmoid, sigmoidOp } from './sigmoid.js';
export { mse, mseOp } from './mse.js';
export { awayFromKink, relu, reluOp } from './relu.js';
export { leakyRelu, leakyReluOp, type LeakyReluConfig } from './leaky-relu.js';
export { tanh, tanhOp } from './tanh.js';
export { identity, identityOp } from './identity.js';
export { softmax, softmaxOp } from './softmax.js';
export { softmaxCrossEntropy, softmaxCrossEntropyOp } from './softmax-cross-entropy.js';
export { dropout, dropoutOp, type DropoutConfig } from './dropout.js';
export { add, addOp } from './add.js';
export { dense, denseOp, type DenseConfig } from './dense.js';
export { activationOf, activationParam, type FusedActivation } from './fused-activation.js';
export * from './image/index.js';
export * from './attention/index.js';
export * from './sequence/index.js';
export * from './norm/index.js';
export * from './activations/index.js';
export * from './losses/index.js';

/**
 * Every built-in op plugin, one entry per op (a test checks the names are unique).
 *
 * @see {@link "Writing op plugins" | Writing op plugins} (the guide: how these ops are written, and how to add your own).
 *
 * @example
 * ```ts
 * import { createRegistry } from '@gradstream/graph';
 * import { builtinOps } from '@gradstream/ops';
 * const registry = createRegistry(builtinOps);
 * ```
 */
export const builtinOps: readonly AnyOpPlugin[] = Object.freeze([
  linearOp,
  sigmoidOp,
  mseOp,
  reluOp,
  leakyReluOp,
  tanhOp,
  identityOp,
  softmaxOp,
  softmaxCrossEntropyOp,
  dropoutOp,
  addOp,
  denseOp,
  ...IMAGE_OPS,
  ...NORM_OPS,
  ...SEQUENCE_OPS,
  ...ATTENTION_OPS,
  ...ACTIVATION_OPS,
  ...LOSS_OPS,
]);

for (const op of builtinOps) if (!defaultRegistry.has(op.name)) defaultRegistry.register(op);
