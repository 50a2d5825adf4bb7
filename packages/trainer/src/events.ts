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
  /** Training samples per epoch (`null` for a stream of samples whose length is not known). */
  readonly samples: number | null;
  readonly validationSamples: number;
  readonly optimizer: Readonly<Record<string, unknown>>;
  readonly metrics: readonly string[];
  /** The backend every step runs on, in one line (`wasm: WebAssembly SIMD128, 2 threads`), and why where it was a fallback. */
  readonly backend: string;
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
  /** The learning rate the epoch starts with. */
  readonly lr: number;
}

/**
 * What one node did in a step, when the run was asked to `trace`: its output value and the
 * gradient signal ∂L/∂output that reached it.
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
 * One step on one batch: the loss and gradients are computed and the update is **about to be
 * applied** (subscribers that stop the run while handling this event prevent that update). Steps
 * count from 1 over the whole run; `batch` counts from 1 within the epoch. `loss` is the batch loss.
 *
 * - `gradNorms`: the L2 norm of each parameter's gradient, by parameter id (`linear_1.weight`).
 * - `gradients`: each parameter's gradient, only when the run was started with `gradients: true`
 *   (or use {@link gradients$}, which copies them only while someone subscribes).
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
 * Loss and metrics over a set of samples.
 *
 * @example
 * ```ts
 * import type { Scores } from '@gradstream/trainer';
 * const s: Scores = { loss: 0.1, metrics: { accuracy: 0.9 } };
 * ```
 */
export interface Scores {
  readonly loss: number;
  readonly metrics: Readonly<Record<string, number>>;
}

/**
 * An epoch ended. `loss` is the mean batch loss weighted by batch size and `metrics` are computed
 * on the training predictions seen during the epoch (before each step's update, as Keras does);
 * `validation` is computed on the held-out samples after the epoch, in evaluation mode.
 *
 * @example
 * ```ts
 * import type { EpochEvent } from '@gradstream/trainer';
 * const onEpoch = (e: EpochEvent) => console.log(`epoch ${e.epoch}: ${e.loss}`, e.validation?.loss);
 * ```
 */
export interface EpochEvent {
  readonly type: 'epoch';
  readonly epoch: number;
  readonly step: number;
  readonly loss: number;
  readonly metrics: Readonly<Record<string, number>>;
  readonly validation?: Scores;
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
 * Why a run ended: all epochs done (`completed`), stopped through the control stream or an
 * AbortSignal (`stopped`), by the early-stopping policy (`early-stop`), or because the loss or a
 * gradient stopped being finite or a guard's threshold was crossed (`diverged`).
 *
 * @example
 * ```ts
 * import type { EndReason } from '@gradstream/trainer';
 * const ok = (r: EndReason) => r === 'completed';
 * ```
 */
export type EndReason = 'completed' | 'stopped' | 'early-stop' | 'diverged';

/**
 * Where training diverged: the step, and the first node whose output (or, going backward,
 * whose gradient signal) was not finite.
 *
 * @example
 * ```ts
 * import type { Divergence } from '@gradstream/trainer';
 * const say = (d: Divergence) => `step ${d.step}: ${d.where}`;
 * ```
 */
export interface Divergence {
  readonly step: number;
  readonly epoch: number;
  /** E.g. `loss`, `node "linear_2" output`, `node "sigmoid_1" gradient`, or a guard's reason. */
  readonly where: string;
  readonly node?: string;
}

/**
 * Last event of a run that was not unsubscribed. With reason `diverged`, the offending step's
 * update was not applied, so the parameters are the last finite ones.
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
  /** Epochs completed. */
  readonly epochs: number;
  /** Steps applied. */
  readonly steps: number;
  /** Loss of the last completed epoch (NaN when none completed). */
  readonly loss: number;
  readonly divergence?: Divergence;
  /** Set by early stopping: the epoch whose parameters were kept. */
  readonly bestEpoch?: number;
  /** With `profile: true`: milliseconds spent in each node's forward and backward, and in the optimizer. */
  readonly profile?: Readonly<Record<string, { readonly forwardMs: number; readonly backwardMs: number }>>;
}

/**
 * Training failed with an error; the Observable errors right after this event. It is here so a
 * run forwarded over postMessage or a WebSocket can report its failure as data.
 *
 * @example
 * ```ts
 * import type { ErrorEvent } from '@gradstream/trainer';
 * const onError = (e: ErrorEvent) => console.error(e.code, e.message);
 * ```
 */
export interface ErrorEvent {
  readonly type: 'error';
  readonly code: string;
  readonly message: string;
}

/**
 * Every event a training run emits, discriminated by `type`. The order is a contract:
 *
 * ```
 * start (epochStart (batch params?)* epoch params?)* (end | error)
 * ```
 *
 * `params` follows a batch when asked every N steps, or the epoch with `params: 'epoch'`. A run
 * that is unsubscribed emits nothing more.
 *
 * @example
 * ```ts
 * import type { TrainEvent } from '@gradstream/trainer';
 * const log = (e: TrainEvent) => { if (e.type === 'epoch') console.log(e.epoch, e.loss); };
 * ```
 */
export type TrainEvent = StartEvent | EpochStartEvent | BatchEvent | EpochEvent | ParamsEvent | EndEvent | ErrorEvent;
