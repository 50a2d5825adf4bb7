import type { Checkpoint } from '@gradstream/graph';

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
  /** For a run resumed from a checkpoint (`resume`): the steps taken and epochs completed before it. */
  readonly resumed?: { readonly step: number; readonly epoch: number };
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
  /** True for the loss node (whose signal is ∂L/∂L = 1). */
  readonly loss: boolean;
  readonly output: TensorSnapshot;
  readonly signal: TensorSnapshot;
}

/**
 * One step on one batch: the loss and gradients are computed and the update is **about to be
 * applied** (a `stop` command sent while this event is handled prevents that update). Steps
 * count from 1 over the whole run; `batch` counts from 1 within the epoch. `loss` is the batch
 * loss and `lr` the learning rate of this step's update. A run builds batch events only while
 * something listens to them (see {@link fit}).
 *
 * - `gradNorms`: the L2 norm of each parameter's gradient, by parameter id (`linear_1.weight`).
 * - `gradients`: each parameter's gradient (copies), only when the run was started with
 *   `gradients: true`.
 * - `trace`: every node's output and gradient signal (copies), only with `trace: true`.
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
  /** The learning rate of the epoch's last step. */
  readonly lr: number;
  readonly metrics: Readonly<Record<string, number>>;
  readonly validation?: Scores;
}

/**
 * A frozen copy of every parameter after a step, emitted only when asked (`params` option), and of
 * the model's state (moving statistics, such as `batchNorm_1.movingMean`): all a model needs to
 * predict as it does at that step.
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
 * Why a run ended, in one word: all epochs done (`completed`), a `stop` command (`stopped`), the
 * AbortSignal (`aborted`), an early-stopping decision (`early-stop`), or a loss or gradient that
 * stopped being finite or crossed a guard's threshold (`diverged`). The {@link EndEvent} of each
 * reason carries the details.
 *
 * @example
 * ```ts
 * import type { EndReason } from '@gradstream/trainer';
 * const ok = (r: EndReason) => r === 'completed';
 * ```
 */
export type EndReason = 'completed' | 'stopped' | 'aborted' | 'early-stop' | 'diverged';

/**
 * Where training diverged: the step, and the first node whose output (or, going backward,
 * whose gradient signal) was not finite, or what crossed a guard's threshold.
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
  /** The node concerned, where one is (absent for a loss threshold). */
  readonly node?: string;
}

/**
 * What every `end` event reports, whatever the reason.
 *
 * @example
 * ```ts
 * import type { EndBase } from '@gradstream/trainer';
 * const summary = (e: EndBase) => `${e.epochs} epochs, ${e.steps} steps, loss ${e.loss}`;
 * ```
 */
export interface EndBase {
  readonly type: 'end';
  /** Epochs completed. */
  readonly epochs: number;
  /** Steps applied. */
  readonly steps: number;
  /** Loss of the last completed epoch (NaN when none completed). */
  readonly loss: number;
  /** With `profile: true`: milliseconds spent in each node's forward and backward, and in the optimizer. */
  readonly profile?: Readonly<Record<string, { readonly forwardMs: number; readonly backwardMs: number }>>;
}

/**
 * The run trained every epoch it was asked for.
 *
 * @example
 * ```ts
 * import type { CompletedEnd } from '@gradstream/trainer';
 * const done = (e: CompletedEnd) => e.epochs;
 * ```
 */
export interface CompletedEnd extends EndBase {
  readonly reason: 'completed';
}

/**
 * A `stop` command ended the run, with the reason it gave, if any.
 *
 * @example
 * ```ts
 * import type { StoppedEnd } from '@gradstream/trainer';
 * const why = (e: StoppedEnd) => e.message ?? 'stop button';
 * ```
 */
export interface StoppedEnd extends EndBase {
  readonly reason: 'stopped';
  /** The `reason` of the `{ type: 'stop', reason }` command. */
  readonly message?: string;
}

/**
 * The run's AbortSignal was aborted; `message` is the signal's reason (for `AbortSignal.timeout`,
 * a `TimeoutError`).
 *
 * @example
 * ```ts
 * import type { AbortedEnd } from '@gradstream/trainer';
 * const timedOut = (e: AbortedEnd) => e.name === 'TimeoutError';
 * ```
 */
export interface AbortedEnd extends EndBase {
  readonly reason: 'aborted';
  /** The name of the abort reason when it is an error (`AbortError`, `TimeoutError`), else `Error`. */
  readonly name: string;
  readonly message: string;
}

/**
 * An early-stopping decision ended the run: what was watched, the best epoch and its value, and
 * whether that epoch's parameters were put back.
 *
 * @example
 * ```ts
 * import type { EarlyStopEnd } from '@gradstream/trainer';
 * const say = (e: EarlyStopEnd) => `best ${e.monitor} ${e.best} at epoch ${e.bestEpoch}`;
 * ```
 */
export interface EarlyStopEnd extends EndBase {
  readonly reason: 'early-stop';
  readonly monitor: string;
  readonly bestEpoch: number;
  readonly best: number;
  /** True when the parameters of `bestEpoch` were written back before the run ended. */
  readonly restored: boolean;
}

/**
 * Training diverged: the offending step's update was not applied, so the parameters are the
 * last finite ones.
 *
 * @example
 * ```ts
 * import type { DivergedEnd } from '@gradstream/trainer';
 * const where = (e: DivergedEnd) => `step ${e.divergence.step}: ${e.divergence.where}`;
 * ```
 */
export interface DivergedEnd extends EndBase {
  readonly reason: 'diverged';
  readonly divergence: Divergence;
}

/**
 * Last event of a run that was not unsubscribed, discriminated by `reason`; each reason carries
 * its details (the stop's message, the abort's reason, the early stop's best epoch, where it
 * diverged).
 *
 * @example
 * ```ts
 * import type { EndEvent } from '@gradstream/trainer';
 * const onEnd = (e: EndEvent) => {
 *   if (e.reason === 'early-stop') console.log(`best epoch ${e.bestEpoch}`);
 *   else if (e.reason === 'diverged') console.log(e.divergence.where);
 * };
 * ```
 */
export type EndEvent = CompletedEnd | StoppedEnd | AbortedEnd | EarlyStopEnd | DivergedEnd;

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
 * A checkpoint of the model as it is at this point of the run (parameters, optimizer state, step
 * and epoch), emitted in answer to a `checkpoint` command: plain JSON, ready for
 * `writeCheckpointFile`, IndexedDB or a server. `tag` repeats the command's, so the policy that
 * asked (`checkpointBest`) recognises its own.
 *
 * @example
 * ```ts
 * import type { CheckpointEvent } from '@gradstream/trainer';
 * const size = (e: CheckpointEvent) => JSON.stringify(e.checkpoint).length;
 * ```
 */
export interface CheckpointEvent {
  readonly type: 'checkpoint';
  readonly epoch: number;
  readonly step: number;
  readonly tag?: string;
  readonly checkpoint: Checkpoint;
}

/**
 * Every event a training run emits, discriminated by `type`. The order is a contract:
 *
 * ```
 * start (epochStart (batch params?)* epoch params?)* (end | error)
 * ```
 *
 * `params` follows a batch when asked every N steps, or the epoch with `params: 'epoch'`. A run
 * resumed inside an epoch goes on with that epoch's batches, without a second `epochStart`. A
 * `checkpoint` event can come anywhere after `start`, right after the command that asked for it
 * took effect. A run that is unsubscribed emits nothing more.
 *
 * @example
 * ```ts
 * import type { TrainEvent } from '@gradstream/trainer';
 * const log = (e: TrainEvent) => { if (e.type === 'epoch') console.log(e.epoch, e.loss); };
 * ```
 */
export type TrainEvent = StartEvent | EpochStartEvent | BatchEvent | EpochEvent | ParamsEvent | CheckpointEvent | EndEvent | ErrorEvent;

/**
 * The `type` of a training event.
 *
 * @example
 * ```ts
 * import type { TrainEventType } from '@gradstream/trainer';
 * const perEpoch: TrainEventType[] = ['epoch', 'end'];
 * ```
 */
export type TrainEventType = TrainEvent['type'];
