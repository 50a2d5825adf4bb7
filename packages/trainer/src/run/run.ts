import { Subject, isObservable, type Observable, type Subscriber, type Subscription } from 'rxjs';
import { backendSummary, decodeOptimizerState, toCheckpoint, type JsonValue, type Model } from '@gradstream/graph';
import { GradstreamError, type DeviceSync, type TypedArray } from '@gradstream/tensor';
import { Dataset, samplesToArrays, type ArrayData, type Sample } from '../dataset.js';
import { Evaluator, type Evaluation } from '../evaluate.js';
import type { BatchEvent, Divergence, EndEvent, RunConfig, Scores, TrainEvent, TrainEventType } from '../events.js';
import type { FitOptions, TrainData } from '../fit-options.js';
import type { MetricName } from '../metrics.js';
import type { Optimizer, OptimizerState } from '../optimizers/optimizer.js';
import { sgd } from '../optimizers/sgd.js';
import type { Policy } from '../policies/policy.js';
import { ArraySource } from './array-source.js';
import type { BatchSource } from './batch-source.js';
import { checkCommand, describeCommand, type CommandObject } from './commands.js';
import { describeValue, knownOptions, numberOption, optionReader } from '../check-option.js';
import type { Interest } from './interest.js';
import { laterTurn } from './macrotask.js';
import { checkRunState, checkSameData, type RunState } from './run-state.js';
import { END_OF_EPOCH, StepEngine, WAIT_FOR_DATA, type CompiledBatch } from './step-engine.js';
import { StreamSource } from './stream-source.js';
import { firstNonFinite } from './finite.js';

/** Models some run is training: a second run on one of them ends at once with `MODEL_BUSY`. */
const training = new WeakSet<Model>();

/** Why the run is ending, as it will read in the `end` event. */
type Ending =
  | { readonly reason: 'completed' }
  | { readonly reason: 'stopped'; readonly message?: string }
  | { readonly reason: 'aborted'; readonly name: string; readonly message: string }
  | { readonly reason: 'early-stop'; readonly monitor: string; readonly bestEpoch: number; readonly best: number; readonly restored: boolean }
  | { readonly reason: 'diverged'; readonly divergence: Divergence };

/** A command waiting for the next boundary, and who sent it (a policy's index; -1: the control stream). */
interface PendingCommand {
  readonly command: CommandObject;
  readonly from: number;
}

/** A checkpoint asked for: taken at the next boundary where no batch is between its event and its update. */
type CheckpointRequest = Extract<CommandObject, { type: 'checkpoint' }>;

/** A policy plugged into the run: its input, the types it reads, its command subscription. */
interface PluggedPolicy {
  readonly input: Subject<TrainEvent>;
  readonly reads: ReadonlySet<TrainEventType> | undefined;
  subscription: Subscription | undefined;
  done: boolean;
}

const isArrayData = (d: TrainData): d is ArrayData => typeof d === 'object' && d !== null && 'x' in d && 'y' in d && !isObservable(d);

const isStream = (d: TrainData): d is AsyncIterable<Sample> | Observable<Sample> =>
  isObservable(d) || (typeof d === 'object' && d !== null && Symbol.asyncIterator in d);

/** What one call of `advance` did: nothing (the run waits or ended), an epoch's edge, or a step. */
const WAIT = 0;
const EDGE = 1;
const STEP = 2;
type Unit = typeof WAIT | typeof EDGE | typeof STEP;

/** Clock reads aim at one per this many milliseconds of training, so a tiny step does not pay for one each. */
const CLOCK_EVERY_MS = 0.25;

/**
 * One training run: the one loop that trains batches from any source in time slices, emits the
 * run's events to its (shared) subscriber and its policies, and applies commands at the boundary
 * of the event that prompted them.
 *
 * Reentrancy: user code (subscribers, policies, a control subject, a stream of samples) runs only
 * inside `emit` or from outside the loop. Whatever it asks while the loop is on the stack
 * (`depth > 0`) is queued — commands, a failure — and taken up at the next boundary: the top of
 * each unit of work, and between a batch event and its update.
 */
export class Run {
  private readonly engine: StepEngine;
  private readonly metrics: readonly MetricName[];
  private readonly sliceMs: number;
  private readonly policies: PluggedPolicy[] = [];
  private readonly pending: PendingCommand[] = [];
  private readonly checkpointRequests: CheckpointRequest[] = [];
  /** Each policy's last `saveState` (null: none), kept for checkpoints. */
  private policyStates: JsonValue[] = [];
  /** What the run reads (samples, batch size, shuffling), kept in checkpoints and checked on resume. */
  private dataIdentity: RunState['data'] | undefined;
  private readonly subscriptions: Subscription[] = [];
  private source: BatchSource | undefined;
  private stream: StreamSource | undefined;
  private validator: Evaluator | undefined;
  private depth = 0;
  private scheduled: (() => void) | undefined;
  private started = false;
  private claimed = false;
  private ended = false;
  private ending: Ending | undefined;
  private stopRequest: Ending | undefined;
  private failure: { readonly error: unknown } | undefined;
  private paused = false;
  /** True while a device backend's step, validation or final read is in flight: the loop waits for it. */
  private awaiting = false;
  /** Set once the parameters have been read back from a device backend at the end of the run. */
  private heldRead = false;
  /** On a device backend: whether the step in flight read back gradients and a trace for its batch event. */
  private deviceGradients = false;
  private deviceTrace = false;
  private permits = 0;
  private pendingLr: number | undefined;
  /** Rates of the weight penalty a `setRegularization` command set, taken up by the next step. */
  private pendingL1: number | undefined;
  private pendingL2: number | undefined;
  private policiesReadBatch = false;
  private epoch = 0;
  private epochOpen = false;
  private batch = 0;
  /** Samples trained (updates applied) in the open epoch. */
  private trained = 0;
  private step = 0;
  private epochsDone = 0;
  private lastEpochLoss = Number.NaN;
  private clockStride = 1;
  /** The step whose batch event is being handled (0 between steps): a `diverge` command names it. */
  private batchStep = 0;

  constructor(
    private readonly model: Model,
    private readonly data: TrainData,
    private readonly options: FitOptions,
    private readonly out: Subscriber<TrainEvent>,
    private readonly interest: Interest,
  ) {
    // MSE means something for regression only; a classifier asks for accuracy.
    const metrics = options.metrics ?? (model.lossNode.op.name === 'mse' ? ['mse'] : []);
    try {
      this.engine = new StepEngine(model, checkOptimizer(options.optimizer ?? sgd()), checkMetrics(metrics));
      this.metrics = metrics;
    } catch (e) {
      // A bad metric or optimizer fails the run at its start, as every other option does (an error
      // event, then the error), instead of throwing inside subscribe.
      this.failure = { error: e };
      this.engine = new StepEngine(model, sgd(), []);
      this.metrics = [];
    }
    this.engine.profiling = options.profile ?? false;
    this.sliceMs = options.sliceMs ?? 20;
  }

  /**
   * Claims the model and starts on a later turn of the event loop (or the scheduler's next
   * action), never inside `subscribe`: every subscriber of the same turn sees `start`.
   */
  begin(): void {
    if (!training.has(this.model)) {
      training.add(this.model);
      this.claimed = true;
    }
    // A stream of samples may be hot: listen now, so nothing that arrives before the start is lost.
    if (this.claimed && isStream(this.data)) {
      const requested = this.options.batchSize ?? 32;
      if (Number.isInteger(requested) && requested >= 1) {
        this.stream = new StreamSource(this.data, requested, this.model, () => this.wake());
        this.stream.listen();
      }
    }
    // Commands sent in the turn of the subscription (a Subject's next) are kept for the start.
    const control = this.options.control;
    if (control !== undefined) this.subscriptions.push(control.subscribe({ next: (c) => this.command(c), error: (e: unknown) => this.fail(e) }));
    this.scheduled = laterTurn(this.start, this.options.scheduler, 0);
  }

  /** The subscriber left (every subscriber of the shared run unsubscribed): stop, emit nothing more. */
  cancel(): void {
    if (this.ended) return;
    this.ended = true;
    this.teardown();
  }

  // ---- start ----

  private readonly start = (): void => {
    this.scheduled = undefined;
    if (this.ended) return;
    this.started = true;
    if (this.failure !== undefined) {
      this.failNow(this.failure.error);
      return;
    }
    this.depth++;
    try {
      this.setUp();
    } catch (e) {
      this.failure ??= { error: e };
    } finally {
      this.depth--;
    }
    if (this.failure !== undefined) this.failNow(this.failure.error);
    else this.pump();
  };

  private setUp(): void {
    if (!this.claimed) {
      throw new GradstreamError('MODEL_BUSY', 'fit: the model is already being trained by another run; wait for its end, or stop it, before starting one', {});
    }
    const { epochs } = this.options;
    if (!Number.isInteger(epochs) || epochs < 0) {
      throw new GradstreamError('INVALID_OPTION', `fit: epochs must be a non-negative integer, got ${describeValue(epochs)}`, { epochs });
    }
    const requested = this.options.batchSize ?? 32;
    if (!Number.isInteger(requested) || requested < 1) {
      throw new GradstreamError('INVALID_OPTION', `fit: batchSize must be a positive integer, got ${describeValue(requested)}`, { batchSize: requested });
    }
    const sliceMs = this.options.sliceMs;
    // typeof first: comparing an object without a primitive value (a null-prototype one) throws a TypeError.
    if (sliceMs !== undefined && !(typeof sliceMs === 'number' && sliceMs >= 0)) {
      throw new GradstreamError('INVALID_OPTION', `fit: sliceMs must be a number ≥ 0, got ${describeValue(sliceMs)}`, { sliceMs });
    }
    const { l1, l2 } = checkRegularization(this.options.regularization);
    this.engine.setRegularization(l1, l2);
    const validation: unknown = this.options.validation;
    if (validation !== undefined && (typeof validation !== 'object' || validation === null)) {
      throw new GradstreamError('INVALID_OPTION', `fit: validation must be arrays { x, y } or { split }, got ${describeValue(validation)}`, { option: 'validation' });
    }
    const config = this.stream !== undefined ? this.streamConfig(requested) : this.arrayConfig(requested);
    // Parameters, a training plan and the optimizer's state, sized before any of it is allocated.
    this.model.requireMemory(config.batchSize, this.engine.optimizer.slots ?? []);
    this.dataIdentity = { samples: config.samples, batchSize: config.batchSize, shuffle: config.shuffle };
    const policies = this.options.policies ?? [];
    if (!Array.isArray(policies)) {
      throw new GradstreamError('INVALID_OPTION', `fit: policies must be an array of policies, got ${describeValue(policies)}`, { option: 'policies' });
    }
    this.policyStates = policies.map(() => null);
    const resumed = this.restore(policies.length);
    this.plugPolicies(policies);
    this.listenForAbort(this.options.signal);
    this.emit({ type: 'start', seed: this.options.seed ?? 0, config, ...(resumed ? { resumed } : {}) });
  }

  /**
   * Continues from a checkpoint (`resume`): the optimizer's state, then where the run stood —
   * counters, the data order and position, the epoch's running totals, a pending rate, the
   * weight penalty's rates, the policies' states, the nodes' generators, kept parameters.
   * Everything is checked before anything is changed but the optimizer.
   */
  private restore(policyCount: number): { readonly step: number; readonly epoch: number } | undefined {
    const resume = this.options.resume;
    if (resume === undefined) return undefined;
    if (typeof resume !== 'object' || resume === null) {
      throw new GradstreamError('INVALID_OPTION', `fit: resume must be a checkpoint or the state loadCheckpoint returns, got ${describeCommand(resume)}`, {
        option: 'resume',
      });
    }
    const saved = resume.run === undefined ? undefined : checkRunState(resume.run);
    if (saved !== undefined) {
      checkSameData(saved.data, this.dataIdentity as RunState['data']);
      if (saved.policies.length !== policyCount) {
        throw new GradstreamError(
          'INVALID_OPTION',
          `fit: resume: the checkpointed run had ${saved.policies.length} polic${saved.policies.length === 1 ? 'y' : 'ies'}, this one ${policyCount}; pass the same policies in the same order`,
          { option: 'policies', saved: saved.policies.length, now: policyCount },
        );
      }
      const names = this.model.nodes.map((n) => n.name);
      const missing = names.filter((n) => !Object.hasOwn(saved.generators, n));
      if (missing.length > 0) {
        throw new GradstreamError('INVALID_OPTION', `fit: resume.run/generators: no generator saved for node(s) ${missing.join(', ')}: the checkpoint is of another model`, {
          path: 'resume.run/generators',
          nodes: missing,
        });
      }
      // The schema lets Infinity through (as JSON never holds it, only a state built by hand can).
      const rates = saved.regularization;
      if (rates !== undefined) for (const k of ['l1', 'l2'] as const) numberOption('fit', `resume.run/regularization/${k}`, rates[k], { atLeast: 0 });
    }
    // A checkpoint event's own checkpoint keeps the buffers in base64; decoded here (and checked), any optimizer gets numbers.
    if (resume.optimizer !== undefined) this.engine.optimizer.setState(decodeOptimizerState(resume.optimizer, 'resume.optimizer') as unknown as OptimizerState);
    if (saved === undefined) return { step: resume.step ?? 0, epoch: resume.epoch ?? 0 };
    this.engine.setTotals(saved.totals);
    if (saved.kept !== null) this.engine.setKept(saved.kept);
    for (const node of this.model.nodes) node.rng.setState(saved.generators[node.name] as readonly number[]);
    this.epoch = saved.epoch;
    this.epochOpen = saved.epochOpen;
    this.epochsDone = saved.epochsDone;
    this.step = saved.step;
    this.batch = saved.batch;
    this.trained = saved.trained;
    this.lastEpochLoss = saved.lastEpochLoss ?? Number.NaN;
    this.pendingLr = saved.lr ?? undefined;
    if (saved.regularization !== undefined) this.engine.setRegularization(saved.regularization.l1, saved.regularization.l2);
    this.policyStates = [...saved.policies];
    if (this.source instanceof ArraySource) this.source.resume(saved.order, saved.epochOpen, saved.trained);
    else if (saved.epochOpen) (this.stream as StreamSource).skip(saved.trained);
    return { step: saved.step, epoch: saved.epochsDone };
  }

  /** Where the run stands now, for a checkpoint (taken only between steps). */
  private runState(): RunState {
    const source = this.source;
    return {
      version: 1,
      data: this.dataIdentity as RunState['data'],
      epoch: this.epoch,
      epochOpen: this.epochOpen,
      epochsDone: this.epochsDone,
      step: this.step,
      batch: this.batch,
      trained: this.trained,
      lastEpochLoss: Number.isFinite(this.lastEpochLoss) ? this.lastEpochLoss : null,
      order: source instanceof ArraySource ? source.orderState(this.epochOpen) : null,
      totals: this.engine.totals(),
      lr: this.pendingLr ?? null,
      regularization: this.regularization(),
      policies: [...this.policyStates],
      generators: Object.fromEntries(this.model.nodes.map((n) => [n.name, n.rng.state()])),
      kept: this.engine.keptValues(),
    };
  }

  private arrayConfig(requested: number): RunConfig {
    const data = this.data as ArrayData | Iterable<Sample>;
    const v = this.options.validation;
    // Typed data is checked batch by batch as it trains (read once per epoch, not once more per
    // call), unless a validation split is cut from it: the held-out part is never trained.
    const finiteCheck = v !== undefined && 'split' in v ? 'now' : 'batches';
    let train = Dataset.from(isArrayData(data) ? data : samplesToArrays(data), this.model, { finiteCheck });
    let validation: Dataset | undefined;
    if (v !== undefined && 'split' in v) {
      if (!(typeof v.split === 'number' && v.split > 0 && v.split < 1)) {
        throw new GradstreamError('INVALID_OPTION', `fit: validation.split must be in (0, 1), got ${describeValue(v.split)}`, { split: v.split });
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
    this.source = new ArraySource(train, batchSize, shuffle, this.options.seed ?? 0);
    return this.runConfig(train.size, batchSize, validation?.size ?? 0, shuffle);
  }

  private streamConfig(batchSize: number): RunConfig {
    const validation = this.options.validation;
    if (validation !== undefined && 'split' in validation) {
      throw new GradstreamError('INVALID_OPTION', 'fit: validation.split needs array data; pass validation arrays for a stream', {});
    }
    if (validation) this.validator = new Evaluator(this.model, Dataset.from(validation, this.model), this.metrics);
    this.source = this.stream;
    return this.runConfig(null, batchSize, this.validator?.samples ?? 0, false);
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
      backend: backendSummary(this.model.backend),
    };
  }

  private plugPolicies(policies: readonly Policy[]): void {
    for (const [index, policy] of policies.entries()) {
      if (typeof policy !== 'function') {
        throw new GradstreamError('INVALID_OPTION', `fit: each policy must be a function from events to commands, got ${typeof policy}`, {});
      }
      const reads = policy.reads === undefined ? undefined : new Set(policy.reads);
      if (reads === undefined || reads.has('batch')) this.policiesReadBatch = true;
      const plugged: PluggedPolicy = { input: new Subject<TrainEvent>(), reads, subscription: undefined, done: false };
      this.policies.push(plugged);
      const restored = this.policyStates[index];
      plugged.subscription = policy(plugged.input.asObservable(), restored === null || restored === undefined ? {} : { restored }).subscribe({
        next: (c) => this.command(c, index),
        error: (e: unknown) => this.fail(e),
        complete: () => {
          plugged.done = true;
          this.endWhenPoliciesDone();
        },
      });
    }
  }

  private listenForAbort(signal: AbortSignal | undefined): void {
    if (signal === undefined) return;
    const onAbort = (): void => {
      const r: unknown = signal.reason;
      const name = r instanceof Error || (typeof r === 'object' && r !== null && 'name' in r) ? String((r as { name: unknown }).name) : 'Error';
      const message = r instanceof Error ? r.message : String(r);
      this.stopRequest ??= { reason: 'aborted', name, message };
      this.wake();
    };
    if (signal.aborted) onAbort();
    else {
      signal.addEventListener('abort', onAbort, { once: true });
      this.subscriptions.push({ unsubscribe: () => signal.removeEventListener('abort', onAbort) } as Subscription);
    }
  }

  // ---- the loop ----

  /** Runs units of work for up to `sliceMs`, then yields; returns early when the run must wait. */
  private readonly pump = (): void => {
    this.scheduled = undefined;
    if (this.ended || this.ending !== undefined) return;
    this.depth++;
    try {
      const t0 = this.now();
      let last = t0;
      let countdown = this.clockStride;
      for (let unit = this.advance(); unit !== WAIT; unit = this.advance()) {
        // Only a step can make a slice long; opening or closing an epoch folds into the next one,
        // and a run that is to end ends in this slice.
        if (unit !== STEP || this.stopRequest !== undefined || --countdown > 0) continue;
        const t = this.now();
        if (t - t0 >= this.sliceMs) {
          this.schedule();
          break;
        }
        // Aim the next clock read CLOCK_EVERY_MS ahead (a performance.now() costs as much as a tiny step).
        const perUnit = (t - last) / this.clockStride;
        this.clockStride = perUnit > 0 ? Math.max(1, Math.min(4096, Math.floor(CLOCK_EVERY_MS / perUnit))) : Math.min(4096, this.clockStride * 2);
        if (this.sliceMs === 0) this.clockStride = 1;
        countdown = this.clockStride;
        last = t;
      }
    } catch (e) {
      this.failure ??= { error: e };
    } finally {
      this.depth--;
    }
    if (this.failure !== undefined) this.failNow(this.failure.error);
  };

  /** One unit of work: an epoch's start or end (EDGE), a step (STEP), or WAIT when the run must wait or has ended. */
  private advance(): Unit {
    if (this.awaiting) return WAIT;
    this.takeUpPending();
    if (this.awaiting || this.ended || this.ending !== undefined) return WAIT;
    if (this.stopRequest !== undefined) {
      // An epoch whose every batch has run is still reported; a diverged run ends where it diverged.
      if (this.epochOpen && this.stopRequest.reason !== 'diverged' && (this.source as BatchSource).epochDone()) return this.endEpoch();
      this.finish(this.stopRequest);
      return WAIT;
    }
    if (!this.epochOpen) {
      if (this.epoch >= this.options.epochs) {
        this.finish({ reason: 'completed' });
        return WAIT;
      }
      this.epoch++;
      this.batch = 0;
      this.trained = 0;
      this.epochOpen = true;
      this.applyPendingLr();
      (this.source as BatchSource).beginEpoch();
      this.emit({ type: 'epochStart', epoch: this.epoch, lr: this.engine.optimizer.lr });
      return EDGE;
    }
    if (this.paused && this.permits === 0) return WAIT;
    const next = (this.source as BatchSource).next(this.engine);
    if (next === WAIT_FOR_DATA) return WAIT;
    if (next === END_OF_EPOCH) return this.endEpoch();
    if (this.paused) this.permits--;
    const sync = this.model.backend.sync;
    if (sync === undefined) {
      this.trainBatch(next);
      return STEP;
    }
    this.waitFor(this.trainBatchOnDevice(next, sync));
    return WAIT;
  }

  /** Closes the open epoch; on a device backend with validation data, once the validation has been read back. */
  private endEpoch(): Unit {
    const sync = this.model.backend.sync;
    const paramsEvent = this.options.params === 'epoch' && this.interest.wants('params');
    if (sync === undefined || (this.validator === undefined && !paramsEvent)) {
      this.closeEpoch(this.validator?.run());
      this.epochOpen = false;
      return EDGE;
    }
    const validator = this.validator;
    this.waitFor(
      (async () => {
        const scores = await validator?.runAsync();
        if (paramsEvent) await sync.download(this.engine.heldArrays());
        this.closeEpoch(scores);
        this.epochOpen = false;
      })(),
    );
    return WAIT;
  }

  /** The loop waits for `work` (a device's transfer), then goes on at the next turn; a failure fails the run. */
  private waitFor(work: Promise<void>): void {
    this.awaiting = true;
    work.then(
      () => {
        this.awaiting = false;
        if (this.failure !== undefined) this.failNow(this.failure.error);
        else if (!this.ended && this.scheduled === undefined) this.schedule();
      },
      (e: unknown) => {
        this.awaiting = false;
        this.failNow(e);
      },
    );
  }

  /** One step on the batch already in the plan's buffers. */
  private trainBatch(c: CompiledBatch): void {
    const engine = this.engine;
    this.applyPendingLr();
    this.applyPendingRegularization();
    engine.compute(c);
    const loss = c.plan.loss;
    // A batch event carries every gradient's norm; without one, finiteness is all the step needs.
    const batchEvent = this.wantsBatchEvent();
    const gradientsFinite = batchEvent ? engine.computeNorms(c) : engine.gradientsFinite(c);
    if (!(loss - loss === 0) || !gradientsFinite) {
      if (this.diverged(c, loss, gradientsFinite)) return;
    }
    if (!this.reportBatch(c, batchEvent)) return;
    const step = this.commit(c);
    if (this.paramsDue(step)) this.emit({ type: 'params', epoch: this.epoch, step, params: engine.snapshotParams() });
  }

  /**
   * One step on a device backend (WebGPU): the batch goes up, forward, backward and the checks are
   * queued, and the loss comes back with the checks in one transfer (the gradients and a trace
   * too, when a subscriber reads them); then the step goes on as {@link Run.trainBatch} does. The
   * loop waits meanwhile, and resumes on the next turn.
   */
  private async trainBatchOnDevice(c: CompiledBatch, sync: DeviceSync): Promise<void> {
    const engine = this.engine;
    this.applyPendingLr();
    this.applyPendingRegularization();
    sync.upload([c.plan.x.data, c.plan.y.data]);
    engine.compute(c);
    const batchEvent = this.wantsBatchEvent();
    // What the batch event carries is decided now, with what is read back: a subscriber arriving
    // while the step is on the device would otherwise get values that never came back.
    const gradients = batchEvent && this.wantsGradients();
    const trace = batchEvent && this.wantsTrace();
    this.deviceGradients = gradients;
    this.deviceTrace = trace;
    const extra: TypedArray[] = [];
    // Clipping by the global norm reads every gradient on the host before the update.
    const clips = (engine.optimizer.config() as { clipNorm?: number }).clipNorm !== undefined;
    if (clips || gradients) extra.push(...c.grads.map((g) => g.data));
    if (trace) extra.push(...engine.valuesAndGradients(c));
    await sync.download(engine.deviceReads(c, sync, batchEvent, extra));
    if (this.ended || this.ending !== undefined) return;
    const loss = c.plan.loss;
    const gradientsFinite = engine.deviceChecksPassed(c, batchEvent);
    if (!(loss - loss === 0) || !gradientsFinite) {
      // Where it broke is found on the host: every value and gradient of the step comes back.
      await sync.download(engine.valuesAndGradients(c));
      if (this.diverged(c, loss, gradientsFinite)) return;
    }
    if (!this.reportBatch(c, batchEvent)) return;
    const step = this.commit(c);
    if (!this.paramsDue(step)) return;
    await sync.download(engine.heldArrays());
    this.emit({ type: 'params', epoch: this.epoch, step, params: engine.snapshotParams() });
  }

  /** Whether this step's batch event is read (by a subscriber or a policy). */
  private wantsBatchEvent(): boolean {
    return this.policiesReadBatch || this.interest.wants('batch');
  }

  /** True (and the run asked to stop) when the step's loss or gradients are not finite. */
  private diverged(c: CompiledBatch, loss: number, gradientsFinite: boolean): boolean {
    const divergence = this.engine.divergence(c, loss, gradientsFinite, this.step + 1, this.epoch);
    if (divergence === undefined) return false;
    this.stopRequest = { reason: 'diverged', divergence };
    return true;
  }

  /**
   * Emits the batch event when it is read; false when a stop asked while it was handled skips the
   * update. (The loss is read from the plan here: passed in, a number would be boxed every step.)
   */
  private reportBatch(c: CompiledBatch, batchEvent: boolean): boolean {
    if (!batchEvent) return true;
    this.batchStep = this.step + 1;
    this.emit(this.batchEvent(c, c.plan.loss, this.step + 1, this.batch + 1));
    // A stop asked while the batch event was handled (a guard, a stop button) skips the update.
    this.takeUpPending();
    this.batchStep = 0;
    return !(this.stopRequest !== undefined || this.ended || this.ending !== undefined);
  }

  /** The optimizer's update, and the step counted; returns the step's number. */
  private commit(c: CompiledBatch): number {
    this.engine.apply(c);
    this.step++;
    this.batch++;
    this.trained += c.size;
    return this.step;
  }

  /** Whether a `params` event follows this step. */
  private paramsDue(step: number): boolean {
    const every = this.options.params;
    return typeof every === 'number' && step % every === 0 && this.interest.wants('params');
  }

  private batchEvent(c: CompiledBatch, loss: number, step: number, batch: number): BatchEvent {
    const engine = this.engine;
    const event: { -readonly [K in keyof BatchEvent]: BatchEvent[K] } = {
      type: 'batch',
      epoch: this.epoch,
      step,
      batch,
      size: c.size,
      loss,
      lr: engine.optimizer.lr,
      gradNorms: engine.gradNorms(),
    };
    const onDevice = this.model.backend.sync !== undefined;
    if (onDevice ? this.deviceGradients : this.wantsGradients()) event.gradients = engine.snapshotGradients(c);
    if (onDevice ? this.deviceTrace : this.wantsTrace()) event.trace = engine.trace(c);
    return event;
  }

  private wantsGradients(): boolean {
    return this.options.gradients === true || this.interest.wantsGradients();
  }

  private wantsTrace(): boolean {
    return this.options.trace === true || this.interest.wantsTrace();
  }

  private closeEpoch(evaluation: Evaluation | undefined): void {
    const { loss, metrics } = this.engine.closeEpoch();
    const validation: Scores | undefined = evaluation === undefined ? undefined : pickScores(evaluation);
    this.epochsDone = this.epoch;
    this.lastEpochLoss = loss;
    const epoch = this.epoch;
    this.emit({ type: 'epoch', epoch, step: this.step, loss, lr: this.engine.optimizer.lr, metrics, ...(validation ? { validation } : {}) });
    if (this.options.params === 'epoch' && this.interest.wants('params')) {
      this.emit({ type: 'params', epoch, step: this.step, params: this.engine.snapshotParams() });
    }
  }

  private applyPendingLr(): void {
    if (this.pendingLr === undefined) return;
    this.engine.optimizer.lr = this.pendingLr;
    this.pendingLr = undefined;
  }

  /** The rates of the weight penalty the next step uses: those set, then any a command asked for since. */
  private regularization(): { readonly l1: number; readonly l2: number } {
    const now = this.engine.regularization();
    return { l1: this.pendingL1 ?? now.l1, l2: this.pendingL2 ?? now.l2 };
  }

  private applyPendingRegularization(): void {
    if (this.pendingL1 === undefined && this.pendingL2 === undefined) return;
    const { l1, l2 } = this.regularization();
    this.engine.setRegularization(l1, l2);
    this.pendingL1 = undefined;
    this.pendingL2 = undefined;
  }

  // ---- commands ----

  /** A command from the control stream or a policy: checked now, applied now or at the next boundary. */
  private command(raw: unknown, from = -1): void {
    if (this.ended || this.ending !== undefined) return;
    let c: CommandObject;
    try {
      c = checkCommand(raw);
      if (c.type === 'saveState' && from < 0) {
        throw new GradstreamError('INVALID_COMMAND', 'command saveState: only a policy saves state (it is kept per policy, for a resumed run to hand back)', {
          command: 'saveState',
        });
      }
    } catch (e) {
      this.fail(e);
      return;
    }
    if (this.depth > 0 || !this.started) {
      this.pending.push({ command: c, from });
      return;
    }
    try {
      this.apply(c, from);
      this.depth++;
      try {
        this.takeUpPending();
      } finally {
        this.depth--;
      }
    } catch (e) {
      this.failNow(e);
      return;
    }
    this.wake();
  }

  /**
   * Applies the commands (and a failure) that arrived while the loop was on the stack, then takes
   * the checkpoints asked for — after every other command of the same boundary (a policy's
   * `saveState` included), and never between a batch's event and its update.
   */
  private takeUpPending(): void {
    for (;;) {
      if (this.failure !== undefined) throw this.failure.error;
      while (this.pending.length > 0 && !this.ended) {
        const p = this.pending.shift() as PendingCommand;
        this.apply(p.command, p.from);
      }
      if (this.batchStep !== 0 || this.ended || this.awaiting || this.checkpointRequests.length === 0) return;
      const request = this.checkpointRequests.shift() as CheckpointRequest;
      const sync = this.model.backend.sync;
      if (sync === undefined) {
        this.emitCheckpoint(request);
        continue;
      }
      // A device's parameters, state and optimizer slots come back first; the loop waits for them.
      const arrays = [...this.engine.heldArrays(), ...(this.engine.optimizer.slotArrays?.() ?? [])];
      this.waitFor(sync.download(arrays).then(() => this.emitCheckpoint(request)));
      return;
    }
  }

  private emitCheckpoint(c: CheckpointRequest): void {
    const checkpoint = toCheckpoint(this.model, {
      optimizer: this.engine.optimizer.state(),
      step: this.step,
      epoch: this.epochsDone,
      run: this.runState(),
      ...(c.meta === undefined ? {} : { meta: c.meta }),
    });
    this.emit({ type: 'checkpoint', epoch: this.epochsDone, step: this.step, ...(c.tag === undefined ? {} : { tag: c.tag }), checkpoint });
  }

  private apply(c: CommandObject, from: number): void {
    switch (c.type) {
      case 'pause':
        this.paused = true;
        this.permits = 0;
        break;
      case 'resume':
        this.paused = false;
        this.permits = 0;
        break;
      case 'step':
        if (this.paused) this.permits += c.count ?? 1;
        break;
      case 'stop':
        this.stopRequest ??= c.reason === undefined ? { reason: 'stopped' } : { reason: 'stopped', message: c.reason };
        break;
      case 'setLr':
        this.pendingLr = c.lr;
        break;
      case 'setRegularization':
        // An omitted rate keeps its value (the one set, or one asked for earlier at this boundary).
        if (c.l1 !== undefined) this.pendingL1 = c.l1;
        if (c.l2 !== undefined) this.pendingL2 = c.l2;
        break;
      case 'keepParams':
        this.engine.keepParams();
        break;
      case 'earlyStop': {
        if (this.stopRequest !== undefined) break;
        const restored = c.restore === true && this.engine.restoreKept();
        this.stopRequest = { reason: 'early-stop', monitor: c.monitor, bestEpoch: c.bestEpoch, best: c.best, restored };
        break;
      }
      case 'diverge': {
        const divergence: Divergence = { step: this.batchStep || this.step, epoch: this.epoch, where: c.where, ...(c.node === undefined ? {} : { node: c.node }) };
        this.stopRequest ??= { reason: 'diverged', divergence };
        break;
      }
      case 'checkpoint':
        this.checkpointRequests.push(c);
        break;
      case 'saveState':
        this.policyStates[from] = c.state as JsonValue;
        break;
    }
  }

  // ---- events ----

  /** Delivers an event to the policies that read it, then to the subscribers. */
  private emit(e: TrainEvent): void {
    this.depth++;
    try {
      for (const p of this.policies) if (!p.done && (p.reads === undefined || p.reads.has(e.type))) p.input.next(e);
      this.out.next(e);
    } finally {
      this.depth--;
    }
  }

  /** Ends the run: policies finish first (a checkpoint write in flight), then `end` and completion. */
  private finish(ending: Ending): void {
    const sync = this.model.backend.sync;
    if (sync !== undefined && !this.heldRead) {
      // The run's last values come back from the device once, so the model on the host is current.
      this.heldRead = true;
      this.waitFor(sync.download(this.engine.heldArrays()).then(() => this.finish(ending)));
      return;
    }
    this.ending = ending.reason === 'diverged' ? ending : (this.brokenParameter() ?? ending);
    for (const p of this.policies) p.input.complete();
    this.endWhenPoliciesDone();
  }

  /**
   * A parameter that is not finite, as a divergence, or undefined. A step checks the loss and the
   * gradients before its update, so an update that overflows is seen by the next step; the last
   * one is seen here, so that no run ends as completed (or stopped) with a broken model.
   */
  private brokenParameter(): Ending | undefined {
    // The state too: a moving statistic a step made non-finite breaks every prediction after it.
    for (const [kind, refs] of [['parameter', this.model.parameters()], ['state', this.model.state()]] as const) {
      for (const p of refs) {
        const at = firstNonFinite(p.value.data, this.model.backend);
        if (at < 0) continue;
        const where = `${kind} ${p.id} (${p.value.data[at]} at ${at}) after the update of step ${this.step}`;
        return { reason: 'diverged', divergence: { step: this.step, epoch: this.epoch, where, node: p.node } };
      }
    }
    return undefined;
  }

  private endWhenPoliciesDone(): void {
    if (this.ended || this.ending === undefined || this.policies.some((p) => !p.done)) return;
    const end = {
      type: 'end',
      ...this.ending,
      epochs: this.epochsDone,
      steps: this.step,
      loss: this.lastEpochLoss,
      ...(this.engine.profiling ? { profile: this.engine.profile() } : {}),
    } as EndEvent;
    this.ended = true;
    this.depth++;
    try {
      this.out.next(end);
      this.out.complete();
    } finally {
      this.depth--;
    }
    this.teardown();
  }

  /** Fails the run now, or at the next boundary when the loop is on the stack. */
  private fail(err: unknown): void {
    // Before the start, too: subscribers of the same turn are not all there yet.
    if (this.depth > 0 || !this.started) this.failure ??= { error: err };
    else this.failNow(err);
  }

  private failNow(err: unknown): void {
    if (this.ended) return;
    this.ended = true;
    const code = err instanceof GradstreamError ? err.code : 'INTERNAL';
    this.out.next({ type: 'error', code, message: err instanceof Error ? err.message : String(err) });
    this.out.error(err);
    this.teardown();
  }

  private teardown(): void {
    this.scheduled?.();
    this.scheduled = undefined;
    for (const s of this.subscriptions) s.unsubscribe();
    for (const p of this.policies) p.subscription?.unsubscribe();
    this.stream?.close();
    this.source?.close();
    this.engine.release();
    if (this.claimed) training.delete(this.model);
    this.claimed = false;
  }

  // ---- time ----

  /** The run may go on (a command, an abort, arriving samples): continue on a later turn unless already due. */
  private wake(): void {
    if (!this.started || this.ended || this.scheduled !== undefined || this.depth > 0) return;
    this.schedule();
  }

  private schedule(): void {
    this.scheduled = laterTurn(this.pump, this.options.scheduler, this.options.yieldDelay ?? 0);
  }

  private now(): number {
    return this.options.scheduler ? this.options.scheduler.now() : performance.now();
  }
}

/** The metrics option: a list (each name is checked when its metric is made). */
function checkMetrics(metrics: unknown): readonly MetricName[] {
  if (!Array.isArray(metrics)) {
    throw new GradstreamError('INVALID_OPTION', `fit: metrics must be a list of metric names such as ['accuracy'], got ${describeValue(metrics)}`, { option: 'metrics' });
  }
  return metrics as MetricName[];
}

/** The regularization option: an object of two rates, each finite and ≥ 0 (default 0). */
function checkRegularization(regularization: unknown): { readonly l1: number; readonly l2: number } {
  if (regularization === undefined) return { l1: 0, l2: 0 };
  if (typeof regularization !== 'object' || regularization === null || Array.isArray(regularization)) {
    throw new GradstreamError('INVALID_OPTION', `fit: regularization must be an object { l1?, l2? } of rates ≥ 0, got ${describeValue(regularization)}`, {
      option: 'regularization',
    });
  }
  knownOptions('fit: regularization', regularization, ['l1', 'l2']);
  const read = optionReader('fit', regularization, 'regularization.');
  return { l1: read.number('l1', { atLeast: 0 }, 0), l2: read.number('l2', { atLeast: 0 }, 0) };
}

/** The optimizer option: what the run calls on it must be there. */
function checkOptimizer(optimizer: unknown): Optimizer {
  const o = optimizer as Partial<Record<keyof Optimizer, unknown>> | null;
  if (typeof o !== 'object' || o === null || typeof o.step !== 'function' || typeof o.config !== 'function' || typeof o.state !== 'function') {
    throw new GradstreamError('INVALID_OPTION', `fit: optimizer must be made by sgd, momentum, adam or adamw (or have their step, config and state), got ${describeValue(optimizer)}`, {
      option: 'optimizer',
    });
  }
  return optimizer as Optimizer;
}

function pickScores(e: { loss: number; metrics: Readonly<Record<string, number>> }): Scores {
  return { loss: e.loss, metrics: e.metrics };
}
