import { Observable, from, isObservable, type SchedulerLike, type Subscriber, type Subscription } from 'rxjs';
import { backendSummary, type Model } from '@gradstream/graph';
import { GradstreamError, Rng } from '@gradstream/tensor';
import { Dataset, samplesToArrays, type ArrayData, type Sample } from './dataset.js';
import { Evaluator } from './evaluate.js';
import type { BatchEvent, EndReason, RunConfig, Scores, TrainEvent } from './events.js';
import type { MetricName } from './metrics.js';
import type { Optimizer } from './optimizers/optimizer.js';
import { sgd } from './optimizers/sgd.js';
import { RunController, attach } from './run/controller.js';
import { laterTurn } from './run/macrotask.js';
import { StepEngine, type CompiledBatch } from './run/step-engine.js';
import { StateKeeper } from './state.js';

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
 * A command for a live run, sent through the `control` option: pause, resume, run one more batch
 * while paused (`step`, or `{ type: 'step', count }`), stop, or set the learning rate.
 *
 * @example
 * ```ts
 * import { Subject } from 'rxjs';
 * import type { TrainCommand } from '@gradstream/trainer';
 * const control = new Subject<TrainCommand>();
 * control.next('pause');
 * control.next({ type: 'setLr', lr: 0.01 });
 * ```
 */
export type TrainCommand =
  | 'pause'
  | 'resume'
  | 'step'
  | 'stop'
  | { readonly type: 'step'; readonly count: number }
  | { readonly type: 'setLr'; readonly lr: number };

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
  /** Commands for the run: pause, resume, step, stop, setLr. */
  readonly control?: Observable<TrainCommand>;
  /** Aborting it stops the run (`end` with reason `stopped`). */
  readonly signal?: AbortSignal;
  /** Longest stretch, in milliseconds, to compute before yielding to the event loop (default 20; 0 yields after every batch). */
  readonly sliceMs?: number;
  /** Where to schedule the continuation after a yield (default: the next macrotask). Tests pass a TestScheduler. */
  readonly scheduler?: SchedulerLike;
  /** Time every node's forward and backward and the optimizer; the totals come in the `end` event (default false). */
  readonly profile?: boolean;
  /** Delay passed to `scheduler.schedule` when yielding (default 0; in virtual time, 1 makes every slice a frame). */
  readonly yieldDelay?: number;
}

/**
 * Trains a model and reports it as a **cold** Observable of {@link TrainEvent}s: nothing runs until
 * you subscribe, and the run starts on the next turn of the event loop; each subscription is an
 * independent run (use `share()` to fan one run out to every subscriber that subscribes in the same turn);
 * unsubscribing stops training at the next batch boundary and drops the run's buffers. The run
 * yields to the event loop every `sliceMs`, so timers and UIs stay live.
 *
 * Each step runs a compiled plan: forward, backward, a `batch` event, then the optimizer updates
 * every parameter in place. A step whose loss or gradients are not finite is not applied: the run
 * ends with reason `diverged`, naming the step and the node where the first non-finite value
 * appeared, and the parameters stay as they were.
 *
 * @example
 * ```ts
 * import { sequential } from '@gradstream/graph';
 * import { linear, sigmoid, mse } from '@gradstream/ops';
 * import { fit, loss$, sgd } from '@gradstream/trainer';
 * const model = sequential([linear({ inFeatures: 2, outFeatures: 8 }), sigmoid(), linear({ inFeatures: 8, outFeatures: 1 })], {
 *   inputShape: [2], loss: mse(), seed: 1,
 * });
 * const run$ = fit(model, { x: [[0, 0], [0, 1], [1, 0], [1, 1]], y: [0, 1, 1, 0] }, { epochs: 2000, batchSize: 4, optimizer: sgd({ lr: 0.5 }) });
 * loss$(run$).subscribe((loss) => console.log(loss));
 * ```
 * @returns a cold Observable of training events
 */
export function fit(model: Model, data: TrainData, options: FitOptions): Observable<TrainEvent> {
  return new Observable<TrainEvent>((subscriber) => {
    const run = new Run(model, data, options, subscriber);
    run.begin();
    return () => run.cancel();
  });
}

function isArrayData(d: TrainData): d is ArrayData {
  return typeof d === 'object' && d !== null && 'x' in d && 'y' in d && !isObservable(d);
}

function isAsync(d: TrainData): d is AsyncIterable<Sample> | Observable<Sample> {
  return isObservable(d) || (typeof d === 'object' && d !== null && Symbol.asyncIterator in d);
}

/** One subscription's training run. */
class Run {
  private readonly engine: StepEngine;
  private readonly controller: RunController;
  private readonly sliceMs: number;
  private readonly metrics: readonly MetricName[];
  private cancelled = false;
  private started = false;
  private finished = false;
  private cancelScheduled: (() => void) | undefined;
  private readonly subs: Subscription[] = [];
  private gen: Generator<void, void, void> | undefined;
  private online: OnlineState | undefined;
  private readonly arrivals: Arrivals = { queue: [], head: 0, done: false, failure: undefined, subscription: undefined };
  private step = 0;
  private epochsDone = 0;
  private lastEpochLoss = Number.NaN;
  private validator: Evaluator | undefined;

  constructor(
    private readonly model: Model,
    private readonly data: TrainData,
    private readonly options: FitOptions,
    private readonly subscriber: Subscriber<TrainEvent>,
  ) {
    // MSE means something for regression only; a classifier asks for accuracy.
    this.metrics = options.metrics ?? (model.lossNode.op.name === 'mse' ? ['mse'] : []);
    this.engine = new StepEngine(model, options.optimizer ?? sgd(), this.metrics);
    this.controller = new RunController(this.engine);
    this.controller.wake = () => this.wake();
    this.engine.profiling = options.profile ?? false;
    this.sliceMs = options.sliceMs ?? 20;
  }

  /**
   * Starts on a later turn of the event loop (or the scheduler's next action), never inside
   * `subscribe`: every subscriber of a `share()`d run is then in place before the first event.
   */
  begin(): void {
    // A stream of samples may be hot: listen now, so nothing that arrives before the start is lost.
    if (isAsync(this.data)) this.listen(isObservable(this.data) ? this.data : from(this.data));
    this.cancelScheduled = laterTurn(
      () => {
        this.cancelScheduled = undefined;
        this.start();
      },
      this.options.scheduler,
      0,
    );
  }

  private start(): void {
    this.started = true;
    try {
      const { epochs } = this.options;
      if (!Number.isInteger(epochs) || epochs < 0) {
        throw new GradstreamError('INVALID_OPTION', `fit: epochs must be a non-negative integer, got ${epochs}`, { epochs });
      }
      const requested = this.options.batchSize ?? 32;
      if (!Number.isInteger(requested) || requested < 1) {
        throw new GradstreamError('INVALID_OPTION', `fit: batchSize must be a positive integer, got ${requested}`, { batchSize: requested });
      }
      if (this.options.control) {
        this.subs.push(this.options.control.subscribe((c) => this.command(c)));
      }
      const signal = this.options.signal;
      if (signal) {
        const onAbort = (): void => this.controller.stop('stopped');
        if (signal.aborted) this.controller.stop('stopped');
        else signal.addEventListener('abort', onAbort, { once: true });
        this.subs.push({ unsubscribe: () => signal.removeEventListener('abort', onAbort) } as Subscription);
      }
      if (isAsync(this.data)) this.beginOnline(this.data, requested);
      else this.beginArrays(isArrayData(this.data) ? this.data : samplesToArrays(this.data), requested);
    } catch (e) {
      this.fail(e);
    }
  }

  cancel(): void {
    this.cancelled = true;
    this.cancelScheduled?.();
    this.cancelScheduled = undefined;
    for (const s of this.subs) s.unsubscribe();
    this.arrivals.subscription?.unsubscribe();
    this.engine.release();
  }

  private command(c: TrainCommand): void {
    const ctl = this.controller;
    if (c === 'pause') ctl.pause();
    else if (c === 'resume') ctl.resume();
    else if (c === 'step') ctl.step(1);
    else if (c === 'stop') ctl.stop('stopped');
    else if (c.type === 'step') ctl.step(c.count);
    else ctl.setLr(c.lr);
  }

  /** Emits an event linked to this run; false once the subscriber is gone. */
  private emit(e: TrainEvent): boolean {
    if (this.cancelled || this.subscriber.closed) return false;
    this.subscriber.next(attach(e, this.controller));
    return !this.cancelled && !this.subscriber.closed;
  }

  private fail(err: unknown): void {
    if (this.finished || this.cancelled) return;
    this.finished = true;
    const code = err instanceof GradstreamError ? err.code : 'INTERNAL';
    this.emit({ type: 'error', code, message: err instanceof Error ? err.message : String(err) });
    if (!this.subscriber.closed) this.subscriber.error(err);
    this.cancel();
  }

  private end(reason: EndReason): void {
    if (this.finished) return;
    this.finished = true;
    const stop = this.controller.stopping;
    const event = {
      type: 'end' as const,
      reason,
      epochs: this.epochsDone,
      steps: this.step,
      loss: this.lastEpochLoss,
      ...(stop?.divergence ? { divergence: stop.divergence } : {}),
      ...(stop?.bestEpoch !== undefined ? { bestEpoch: stop.bestEpoch } : {}),
      ...(this.engine.profiling ? { profile: this.engine.profile() } : {}),
    };
    if (this.emit(event)) this.subscriber.complete();
    this.cancel();
  }

  /** The reason of a requested stop (read through a method: it can change during any emit). */
  private stopReason(): EndReason | undefined {
    return this.controller.stopping?.reason;
  }

  private wake(): void {
    if (!this.started || this.finished || this.cancelled || this.cancelScheduled !== undefined) return;
    if (this.online !== undefined) this.drainOnline();
    else this.scheduleNext();
  }

  private scheduleNext(): void {
    this.cancelScheduled = laterTurn(this.pump, this.options.scheduler, this.options.yieldDelay ?? 0);
  }

  private now(): number {
    return this.options.scheduler ? this.options.scheduler.now() : performance.now();
  }

  private runConfig(samples: number | null, batchSize: number, validationSamples: number, shuffle: boolean): RunConfig {
    return {
      epochs: this.options.epochs,
      batchSize,
      shuffle,
      samples,
      validationSamples,
      optimizer: this.engine.optimizer.config(),
      metrics: [...this.metrics],
      backend: backendSummary(this.engine.model.backend),
    };
  }

  // ---- arrays: a generator paused at batch boundaries, pumped in time slices ----

  private beginArrays(arrays: ArrayData, requested: number): void {
    let train = Dataset.from(arrays, this.model);
    const v = this.options.validation;
    let validation: Dataset | undefined;
    if (v !== undefined && 'split' in v) {
      if (!(v.split > 0 && v.split < 1)) {
        throw new GradstreamError('INVALID_OPTION', `fit: validation.split must be in (0, 1), got ${v.split}`, { split: v.split });
      }
      const cut = train.size - Math.round(train.size * v.split);
      if (cut < 1 || cut >= train.size) {
        throw new GradstreamError('INVALID_DATA', `fit: validation.split ${v.split} of ${train.size} samples leaves no training or no validation data`, {
          split: v.split,
        });
      }
      validation = train.slice(cut, train.size);
      train = train.slice(0, cut);
    } else if (v !== undefined) {
      validation = Dataset.from(v, this.model);
    }
    if (validation) this.validator = new Evaluator(this.model, validation, this.metrics);
    const batchSize = Math.min(requested, train.size);
    const shuffle = this.options.shuffle ?? true;
    const config = this.runConfig(train.size, batchSize, validation?.size ?? 0, shuffle);
    this.controller.stateKeeper = new StateKeeper(config);
    this.gen = this.epochs(train, batchSize, shuffle, config);
    this.pump();
  }

  private readonly pump = (): void => {
    this.cancelScheduled = undefined;
    const gen = this.gen as Generator<void, void, void>;
    const t0 = this.now();
    try {
      while (!this.finished && !this.cancelled) {
        if (!this.controller.mayRun()) return;
        if (gen.next().done) return;
        if (this.now() - t0 >= this.sliceMs) {
          if (!this.finished && !this.cancelled) this.scheduleNext();
          return;
        }
      }
    } catch (e) {
      this.fail(e);
    }
  };

  private *epochs(train: Dataset, batchSize: number, shuffle: boolean, config: RunConfig): Generator<void, void, void> {
    const seed = this.options.seed ?? 0;
    if (!this.emit({ type: 'start', seed, config })) return;
    const rng = Rng.fromSeed(seed);
    const n = train.size;
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    for (let epoch = 1; epoch <= this.options.epochs; epoch++) {
      if (this.stopReason()) return this.end(this.stopReason() as EndReason);
      this.controller.applySchedule('epoch', epoch - 1);
      if (!this.emit({ type: 'epochStart', epoch, lr: this.controller.lr })) return;
      if (shuffle) rng.shuffle(order);
      let batch = 0;
      for (let start = 0; start < n; start += batchSize) {
        if (this.stopReason()) return this.end(this.stopReason() as EndReason);
        const size = Math.min(batchSize, n - start);
        const c = this.engine.compiled(size);
        train.gather(order, start, size, c.plan.x, c.plan.y);
        if (!this.trainBatch(c, size, epoch, ++batch)) return;
        yield;
      }
      if (!this.closeEpoch(epoch)) return;
    }
    this.end(this.stopReason() ?? 'completed');
  }

  /** One step on the batch already in the plan's buffers; false when the run ended or was cancelled. */
  private trainBatch(c: CompiledBatch, size: number, epoch: number, batch: number): boolean {
    this.controller.applySchedule('step', this.step);
    const loss = this.engine.compute(c);
    const step = this.step + 1;
    const gradNorms = this.engine.gradNorms(c);
    const divergence = this.engine.divergence(c, loss, gradNorms, step, epoch);
    if (divergence !== undefined) {
      this.controller.stop('diverged', { divergence });
      this.end('diverged');
      return false;
    }
    this.controller.setCurrent(c);
    const event: BatchEvent = {
      type: 'batch',
      epoch,
      step,
      batch,
      size,
      loss,
      lr: this.controller.lr,
      gradNorms,
      ...(this.options.gradients ? { gradients: this.engine.snapshotGradients(c) } : {}),
      ...(this.options.trace ? { trace: this.engine.trace(c) } : {}),
    };
    const alive = this.emit(event);
    this.controller.setCurrent(undefined);
    if (!alive) return false;
    // A stop requested while the batch event was handled (a guard, a stop button) skips the update.
    const stop = this.stopReason();
    if (stop !== undefined) {
      this.end(stop);
      return false;
    }
    this.engine.apply(c, loss, size);
    this.step = step;
    const every = this.options.params;
    if (typeof every === 'number' && step % every === 0) {
      return this.emit({ type: 'params', epoch, step, params: this.engine.snapshotParams() });
    }
    return true;
  }

  private closeEpoch(epoch: number): boolean {
    const { loss, metrics } = this.engine.closeEpoch();
    const validation: Scores | undefined = this.validator ? pickScores(this.validator.run()) : undefined;
    this.epochsDone = epoch;
    this.lastEpochLoss = loss;
    const summary = { epoch, step: this.step, loss, metrics, ...(validation ? { validation } : {}) };
    this.controller.stateKeeper?.add(summary);
    if (!this.emit({ type: 'epoch', ...summary })) return false;
    if (this.options.params === 'epoch') return this.emit({ type: 'params', epoch, step: this.step, params: this.engine.snapshotParams() });
    return true;
  }

  // ---- streams: batches are trained as samples arrive ----

  /** Subscribes to the sample stream for one pass, queueing what arrives. */
  private listen(source$: Observable<Sample>): void {
    const q = this.arrivals;
    q.done = false;
    q.subscription = source$.subscribe({
      next: (s) => {
        q.queue.push(s);
        if (this.online !== undefined) this.drainOnline();
      },
      error: (e: unknown) => {
        if (this.online !== undefined) this.fail(e);
        else q.failure = { error: e };
      },
      complete: () => {
        q.done = true;
        if (this.online !== undefined) this.drainOnline();
      },
    });
  }

  private beginOnline(source: AsyncIterable<Sample> | Observable<Sample>, batchSize: number): void {
    const source$ = isObservable(source) ? source : from(source);
    const validation = this.options.validation;
    if (validation !== undefined && 'split' in validation) {
      throw new GradstreamError('INVALID_OPTION', 'fit: validation.split needs array data; pass validation arrays for a stream', {});
    }
    if (validation) this.validator = new Evaluator(this.model, Dataset.from(validation, this.model), this.metrics);
    const config = this.runConfig(null, batchSize, this.validator?.samples ?? 0, false);
    this.controller.stateKeeper = new StateKeeper(config);
    const c = this.engine.compiled(batchSize);
    if (!this.emit({ type: 'start', seed: this.options.seed ?? 0, config })) return;
    this.online = { source$, batchSize, epoch: 0, batch: 0, full: c };
    const failure = this.arrivals.failure;
    if (failure !== undefined) return this.fail(failure.error);
    this.nextOnlineEpoch();
  }

  private nextOnlineEpoch(): void {
    const o = this.online as OnlineState;
    if (this.stopReason()) return this.end(this.stopReason() as EndReason);
    if (o.epoch >= this.options.epochs) return this.end('completed');
    o.epoch++;
    o.batch = 0;
    this.controller.applySchedule('epoch', o.epoch - 1);
    if (!this.emit({ type: 'epochStart', epoch: o.epoch, lr: this.controller.lr })) return;
    // The first pass has been listened to since subscribe; later passes subscribe again (a cold source replays).
    if (o.epoch > 1) this.listen(o.source$);
    this.drainOnline();
  }

  private drainOnline(): void {
    const o = this.online as OnlineState;
    const q = this.arrivals;
    try {
      while (!this.finished && !this.cancelled) {
        const available = q.queue.length - q.head;
        const size = available >= o.batchSize ? o.batchSize : q.done ? available : 0;
        if (size === 0) break;
        if (!this.controller.mayRun()) return;
        const c = size === o.batchSize ? o.full : this.engine.compiled(size);
        for (let r = 0; r < size; r++) writeSample(c, r, q.queue[q.head + r] as Sample, this.model);
        q.head += size;
        if (q.head > 1024 && q.head * 2 > q.queue.length) {
          q.queue.splice(0, q.head);
          q.head = 0;
        }
        if (!this.trainBatch(c, size, o.epoch, ++o.batch)) return;
      }
      if (q.done && q.queue.length === q.head && !this.finished && !this.cancelled) {
        q.queue.length = 0;
        q.head = 0;
        if (o.batch === 0) throw new GradstreamError('INVALID_DATA', 'fit: the sample stream completed without any sample', {});
        if (!this.closeEpoch(o.epoch)) return;
        this.nextOnlineEpoch();
      }
    } catch (e) {
      this.fail(e);
    }
  }
}

interface OnlineState {
  readonly source$: Observable<Sample>;
  readonly batchSize: number;
  epoch: number;
  batch: number;
  readonly full: CompiledBatch;
}

/** Samples received from a stream and not trained on yet, and how the stream stands. */
interface Arrivals {
  readonly queue: Sample[];
  head: number;
  done: boolean;
  failure: { readonly error: unknown } | undefined;
  subscription: Subscription | undefined;
}

function pickScores(e: { loss: number; metrics: Readonly<Record<string, number>> }): Scores {
  return { loss: e.loss, metrics: e.metrics };
}

/** Copies one arriving sample into row `r` of a plan's batch buffers, checking its widths and values. */
function writeSample(c: CompiledBatch, r: number, s: Sample, model: Model): void {
  const xs = c.plan.x;
  const ys = c.plan.y;
  putRow(xs.data, xs.size / (xs.shape[0] as number), r, s.x, 'x', model);
  putRow(ys.data, ys.size / (ys.shape[0] as number), r, s.y, 'y', model);
}

function putRow(dst: Float32Array | Float64Array, w: number, r: number, v: ArrayLike<number> | number, name: 'x' | 'y', model: Model): void {
  const len = typeof v === 'number' ? 1 : v.length;
  if (len !== w) {
    const reader = model.nodes.find((n) => n.inputs.includes(name));
    throw new GradstreamError('SHAPE_MISMATCH', `${reader ? `${reader.label}, ` : ''}sample.${name}: expected ${w} value(s), got ${len}`, {
      expected: w,
      actual: len,
      value: name,
    });
  }
  for (let j = 0; j < w; j++) {
    const val = typeof v === 'number' ? v : (v[j] as number);
    // val - val is NaN exactly for NaN and ±Infinity.
    if (val - val !== 0) {
      throw new GradstreamError('NON_FINITE_INPUT', `sample.${name}[${j}] is ${val}; values must be finite numbers`, { value: name, column: j });
    }
    dst[r * w + j] = val;
  }
}
