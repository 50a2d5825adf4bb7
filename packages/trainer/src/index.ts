/**
 * Training as an RxJS Observable of events: {@link fit}, optimizers, data handling, and helpers
 * that derive the loss, epoch and gradient streams.
 *
 * @packageDocumentation
 */
export type {
  BatchEvent,
  EndEvent,
  EndReason,
  EpochEvent,
  EpochStartEvent,
  NodeTrace,
  ParamsEvent,
  RunConfig,
  StartEvent,
  TensorSnapshot,
  TrainEvent,
} from './events.js';
export { fit, type FitOptions } from './fit.js';
export { Dataset, type ArrayData, type Rows } from './dataset.js';
export { evaluate, type Evaluation } from './evaluate.js';
export type { Optimizer, OptimizerState } from './optimizers/optimizer.js';
export { sgd, type SgdOptions } from './optimizers/sgd.js';
export { epochs$, gradients$, loss$ } from './streams.js';
export { snapshotAll, snapshotTensor } from './snapshot.js';
export { yieldToEventLoop } from './yield.js';
