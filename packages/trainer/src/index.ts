/**
 * Training as an RxJS Observable of events: {@link fit} (one shared run per call), its commands,
 * optimizers, policies handed to the run, data handling, metrics, helpers that derive the
 * loss, epoch, gradient and gradient-signal streams, and {@link walkthrough}, every figure of one
 * training step.
 *
 * @packageDocumentation
 */
export type {
  AbortedEnd,
  BatchEvent,
  CheckpointEvent,
  CompletedEnd,
  DivergedEnd,
  Divergence,
  EarlyStopEnd,
  EndBase,
  EndEvent,
  EndReason,
  EpochEvent,
  EpochStartEvent,
  ErrorEvent,
  NodeTrace,
  ParamsEvent,
  RunConfig,
  Scores,
  StartEvent,
  StoppedEnd,
  TensorSnapshot,
  TrainEvent,
  TrainEventType,
} from './events.js';
export { fit } from './fit.js';
export type { FitOptions, ResumeFrom, TrainData } from './fit-options.js';
export { runStateSchema, type RunState } from './run/run-state.js';
export type { CommandObject, TrainCommand } from './run/commands.js';
export { definePolicy, type Policy, type PolicyContext } from './policies/policy.js';
export { Dataset, samplesToArrays, type ArrayData, type Rows, type Sample } from './dataset.js';
export { Evaluator, evaluate, evaluateAsync, type Evaluation } from './evaluate.js';
export { createMetric, type Metric, type MetricName } from './metrics.js';
export type { Optimizer, OptimizerState } from './optimizers/optimizer.js';
export { sgd, type SgdOptions } from './optimizers/sgd.js';
export { momentum, type MomentumOptions } from './optimizers/momentum.js';
export { adam, type AdamOptions } from './optimizers/adam.js';
export { adamw, type AdamWOptions } from './optimizers/adamw.js';
export { clipGlobalNorm } from './optimizers/clip.js';
export type { LrSchedule } from './schedules/lr-schedule.js';
export { stepDecay, type StepDecayOptions } from './schedules/step-decay.js';
export { exponentialDecay, type ExponentialDecayOptions } from './schedules/exponential-decay.js';
export { cosineDecay, type CosineDecayOptions } from './schedules/cosine-decay.js';
export { reduceOnPlateau, type PlateauState, type ReduceOnPlateau, type ReduceOnPlateauOptions } from './schedules/reduce-on-plateau.js';
export { end$, epochs$, flattenMetrics, gradients$, loss$, metrics$, signalNorms$, signals$, state$ } from './streams.js';
export { snapshotAll, snapshotTensor } from './snapshot.js';
export { walkthrough, type Walkthrough, type WalkthroughNode, type WalkthroughParam } from './walkthrough.js';
export { type EpochSummary, type TrainerState } from './state.js';
export { yieldToEventLoop } from './yield.js';
export { earlyStopping, type EarlyStoppingOptions } from './policies/early-stopping.js';
export { lrSchedule, reduceLrOnPlateau, type SchedulePer } from './policies/lr-policy.js';
export { divergenceGuard, type DivergenceGuardOptions } from './policies/divergence-guard.js';
export type { MonitorMode } from './policies/monitor.js';
export { checkpointBest, type CheckpointBestOptions } from './policies/checkpoint-best.js';
