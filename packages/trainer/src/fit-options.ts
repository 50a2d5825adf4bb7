import type { Observable, SchedulerLike } from 'rxjs';
import type { Checkpoint, JsonValue } from '@gradstream/graph';
import type { ArrayData, Sample } from './dataset.js';
import type { MetricName } from './metrics.js';
import type { Optimizer } from './optimizers/optimizer.js';
import type { Policy } from './policies/policy.js';
import type { CommandObject, TrainCommand } from './run/commands.js';
import type { RunState } from './run/run-state.js';

/**
 * What training can learn from: arrays of inputs and targets (`{ x, y }`, trained for several
 * shuffled epochs), an iterable of samples (collected first), or — for online learning — an
 * async iterable or Observable of samples, trained in arrival order, in fixed-size batches,
 * while they arrive.
 *
 * @example
 * ```ts
 * import { Subject } from 'rxjs';
 * import type { Sample, TrainData } from '@gradstream/trainer';
 * const arrays: TrainData = { x: [[0], [1]], y: [[1], [0]] };
 * const live: TrainData = new Subject<Sample>();
 * ```
 */
export type TrainData = ArrayData | Iterable<Sample> | AsyncIterable<Sample> | Observable<Sample>;

/**
 * Options of {@link fit}.
 *
 * @example
 * ```ts
 * import { sgd, type FitOptions } from '@gradstream/trainer';
 * const options: FitOptions = { epochs: 100, batchSize: 4, optimizer: sgd({ lr: 0.5 }), seed: 1 };
 * ```
 */
export interface FitOptions {
  /** Passes over the data (for a stream of samples: how many times it is subscribed). */
  readonly epochs: number;
  /** Samples per step (default 32, capped at the number of samples). The last batch may be smaller. */
  readonly batchSize?: number;
  /** Default `sgd({ lr: 0.01 })`. */
  readonly optimizer?: Optimizer;
  /**
   * L1 and L2 weight regularization: the training objective becomes the data loss plus the penalty
   * `l1·Σ|w| + (l2/2)·Σw²`, summed over every parameter named `weight` — the weight matrices and
   * kernels of `linear`, `dense`, `conv2d` and `embedding`, the input weights of `lstm` and `gru`
   * (parameters named otherwise, such as their `recurrentWeight` or attention's `queryWeight`,
   * are not penalized); never biases, normalization scales and shifts, or state. Both rates are
   * finite numbers ≥ 0 (default 0: no penalty and no work). As PyTorch's `weight_decay` (for
   * `l2`) and TensorFlow Playground, each step adds the penalty's gradient `l1·sign(w) + l2·w`
   * (sign(0) = 0) to each such parameter's gradient after backward and before the optimizer's
   * update, so momentum and Adam see it (unlike `adamw`'s `weightDecay`, which shrinks weights
   * apart from the gradient).
   *
   * The reported `loss` of `batch` and `epoch` events stays the data loss, without the penalty, as
   * TensorFlow Playground shows it: training and validation losses stay comparable, and changing
   * the rates does not move the curve by itself. Likewise `gradNorms` and `gradients` are those of
   * the data loss. The `setRegularization` command changes the rates while the run trains (also in
   * a run started without this option); a checkpoint keeps the rates current when it was taken, and
   * a run resumed from it continues with those.
   *
   * @example
   * ```ts
   * import type { FitOptions } from '@gradstream/trainer';
   * const options: FitOptions = { epochs: 50, regularization: { l2: 1e-4 } };
   * ```
   */
  readonly regularization?: { readonly l1?: number; readonly l2?: number };
  /** Seed of the shuffling order (default 0). The model's initial weights come from its own seed. */
  readonly seed?: number;
  /** Reshuffle the samples every epoch (default true; streams are never shuffled). */
  readonly shuffle?: boolean;
  /** Metrics reported per epoch on training and validation data (default `['mse']` for an `mse` loss, none otherwise). */
  readonly metrics?: readonly MetricName[];
  /** Held-out data scored after each epoch: other arrays, or the last `split` fraction of `data` (taken before shuffling). */
  readonly validation?: ArrayData | { readonly split: number };
  /** Attach each parameter's gradient to every batch event (copies; default false). */
  readonly gradients?: boolean;
  /** Attach every node's output and gradient signal to every batch event (copies; default false). */
  readonly trace?: boolean;
  /** Emit a `params` snapshot after every N steps, or after each epoch with `'epoch'` (default: never). */
  readonly params?: number | 'epoch';
  /** Commands for the run (see {@link CommandObject}); an invalid one ends the run with an `INVALID_COMMAND` error. */
  readonly control?: Observable<TrainCommand>;
  /** Policies that steer the run from its events: `earlyStopping`, `lrSchedule`, `reduceLrOnPlateau`, `divergenceGuard`, `checkpointBest`, or your own. */
  readonly policies?: readonly Policy[];
  /** Aborting it ends the run (`end` with reason `aborted` and the signal's reason). */
  readonly signal?: AbortSignal;
  /** Longest stretch, in milliseconds, to compute before yielding to the event loop, whatever the data (default 20; 0 yields after every batch). */
  readonly sliceMs?: number;
  /** Where to schedule the continuation after a yield (default: the next macrotask). Tests pass a TestScheduler. */
  readonly scheduler?: SchedulerLike;
  /** Time every node's forward and backward and the optimizer; the totals come in the `end` event (default false). */
  readonly profile?: boolean;
  /** Delay passed to `scheduler.schedule` when yielding (default 0; in virtual time, 1 makes every slice a frame). */
  readonly yieldDelay?: number;
  /**
   * Continue a run from a checkpoint it emitted (a `checkpoint` event's `checkpoint`, or what
   * `loadCheckpoint` returns besides the model): the optimizer's state, and where the run stood —
   * step and epoch counts, the data order and position, the epoch's running totals, the policies'
   * states, dropout's generators. With the same model parameters (load the model from the same
   * checkpoint), data, `batchSize`, `shuffle` and policies, the resumed run takes exactly the steps
   * the interrupted one would have taken. A stream is read again from its start and the samples
   * its open pass had trained are skipped.
   */
  readonly resume?: ResumeFrom;
}

/**
 * The parts of a checkpoint `fit` resumes from: a {@link Checkpoint}, or the state
 * `loadCheckpoint` returns. `run` is a {@link RunState}; without it only the optimizer is restored.
 *
 * @example
 * ```ts
 * import { loadCheckpoint } from '@gradstream/graph/node';
 * import { adam, fit, type ResumeFrom } from '@gradstream/trainer';
 * const { model, ...state } = await loadCheckpoint('run.ckpt.json');
 * const resume: ResumeFrom = state;
 * fit(model, { x: [[0], [1]], y: [[0], [1]] }, { epochs: 20, optimizer: adam(), resume }).subscribe();
 * ```
 */
export interface ResumeFrom {
  readonly optimizer?: JsonValue | undefined;
  readonly run?: JsonValue | undefined;
  readonly step?: number | undefined;
  readonly epoch?: number | undefined;
}

