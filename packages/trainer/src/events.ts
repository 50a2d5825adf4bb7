/**
 * A tensor's values copied out for subscribers: plain, frozen, serializable (JSON, postMessage).
 *
 * @example
 * ```ts
 * import type { TensorSnapshot } from '@gradstream/trainer';
 * const mean = (t: TensorSnapshot) => t.values.reduce((a, b) => a + b, 0) / t.values.length;
 * ```
 */
export interface TensorSnapshot {
  readonly shape: readonly number[];
  readonly values: readonly number[];
}

/**
 * The run's configuration, as reported in the `start` event.
 *
 * @example
 * ```ts
 * import type { RunConfig } from '@gradstream/trainer';
 * const describe = (c: RunConfig) => `${c.epochs} epochs of ${c.samples} samples, batch ${c.batchSize}`;
 * ```
 */
export interface RunConfig {
  readonly epochs: number;
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly samples: number;
  readonly optimizer: Readonly<Record<string, unknown>>;
}

/**
 * First event of every run.
 *
 * @example
 * ```ts
 * import type { StartEvent } from '@gradstream/trainer';
 * const onStart = (e: StartEvent) => console.log(`seed ${e.seed}`);
 * ```
 */
export interface StartEvent {
  readonly type: 'start';
  readonly seed: number;
  readonly config: RunConfig;
}

/**
 * An epoch begins (epochs count from 1).
 *
 * @example
 * ```ts
 * import type { EpochStartEvent } from '@gradstream/trainer';
 * const onEpochStart = (e: EpochStartEvent) => console.log(`epoch ${e.epoch}`);
 * ```
 */
export interface EpochStartEvent {
  readonly type: 'epochStart';
  readonly epoch: number;
}

/**
 * What one node did in a step, when the run was asked to `trace`: its output value and the
 * gradient signal ∂L/∂output that reached it (before the parameters were updated).
 *
 * @example
 * ```ts
 * import type { NodeTrace } from '@gradstream/trainer';
 * const show = (t: NodeTrace) => `${t.node}: ${t.output.values[0]} ← ${t.signal.values[0]}`;
 * ```
 */
export interface NodeTrace {
  readonly node: string;
  readonly op: string;
  readonly output: TensorSnapshot;
  readonly signal: TensorSnapshot;
}

/**
 * One optimisation step on one batch (steps count from 1 over the whole run; `batch` from 1
 * within the epoch). `loss` is the batch loss before the update.
 *
 * - `gradNorms`: the L2 norm of each parameter's gradient, by parameter id (`linear_1.weight`).
 * - `gradients`: each parameter's gradient, only when the run was started with `gradients: true`.
 * - `trace`: every node's output and gradient signal, only with `trace: true`.
 *
 * @example
 * ```ts
 * import type { BatchEvent } from '@gradstream/trainer';
 * const onBatch = (e: BatchEvent) => console.log(e.step, e.loss.toFixed(4));
 * ```
 */
export interface BatchEvent {
  readonly type: 'batch';
  readonly epoch: number;
  readonly step: number;
  readonly batch: number;
  readonly size: number;
  readonly loss: number;
  readonly lr: number;
  readonly gradNorms: Readonly<Record<string, number>>;
  readonly gradients?: Readonly<Record<string, TensorSnapshot>>;
  readonly trace?: readonly NodeTrace[];
}

/**
 * An epoch ended: `loss` is the mean batch loss weighted by batch size; `metrics.mse` is the mean
 * squared error of the training predictions seen during the epoch.
 *
 * @example
 * ```ts
 * import type { EpochEvent } from '@gradstream/trainer';
 * const onEpoch = (e: EpochEvent) => console.log(`epoch ${e.epoch}: ${e.loss}`);
 * ```
 */
export interface EpochEvent {
  readonly type: 'epoch';
  readonly epoch: number;
  readonly step: number;
  readonly loss: number;
  readonly metrics: Readonly<Record<string, number>>;
}

/**
 * A frozen copy of every parameter after a step, emitted only when asked (`params` option).
 *
 * @example
 * ```ts
 * import type { ParamsEvent } from '@gradstream/trainer';
 * const weight = (e: ParamsEvent) => e.params['linear_1.weight']?.values;
 * ```
 */
export interface ParamsEvent {
  readonly type: 'params';
  readonly epoch: number;
  readonly step: number;
  readonly params: Readonly<Record<string, TensorSnapshot>>;
}

/**
 * Why a run ended: all epochs done, the subscriber stopped it, or training diverged.
 *
 * @example
 * ```ts
 * import type { EndReason } from '@gradstream/trainer';
 * const ok = (r: EndReason) => r === 'completed';
 * ```
 */
export type EndReason = 'completed' | 'stopped' | 'early-stop' | 'diverged';

/**
 * Last event of a run that was not unsubscribed. With reason `diverged`, `divergence` says at
 * which step the loss or a gradient stopped being finite; that step's update was not applied,
 * so the parameters are the last finite ones.
 *
 * @example
 * ```ts
 * import type { EndEvent } from '@gradstream/trainer';
 * const onEnd = (e: EndEvent) => console.log(e.reason, e.loss);
 * ```
 */
export interface EndEvent {
  readonly type: 'end';
  readonly reason: EndReason;
  readonly epochs: number;
  readonly steps: number;
  /** Loss of the last completed epoch (NaN when none completed). */
  readonly loss: number;
  readonly divergence?: { readonly step: number; readonly epoch: number; readonly where: string };
}

/**
 * Every event a training run emits, discriminated by `type`. Order: `start`; then per epoch
 * `epochStart`, per batch `batch` (followed by `params` when asked), then `epoch`; finally `end`.
 *
 * @example
 * ```ts
 * import type { TrainEvent } from '@gradstream/trainer';
 * const log = (e: TrainEvent) => { if (e.type === 'epoch') console.log(e.epoch, e.loss); };
 * ```
 */
export type TrainEvent = StartEvent | EpochStartEvent | BatchEvent | EpochEvent | ParamsEvent | EndEvent;
