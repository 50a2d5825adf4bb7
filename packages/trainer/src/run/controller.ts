import type { Model } from '@gradstream/graph';
import { GradstreamError } from '@gradstream/tensor';
import type { Divergence, EndReason, TensorSnapshot, TrainEvent } from '../events.js';
import type { Optimizer } from '../optimizers/optimizer.js';
import type { StateKeeper, TrainerState } from '../state.js';
import type { CompiledBatch, StepEngine } from './step-engine.js';

/**
 * When a learning-rate schedule is consulted: before every step, or before every epoch.
 *
 * @example
 * ```ts
 * import type { SchedulePer } from '@gradstream/trainer';
 * const per: SchedulePer = 'epoch';
 * ```
 */
export type SchedulePer = 'step' | 'epoch';

/**
 * Why and how a run was asked to stop.
 *
 * @example
 * ```ts
 * import type { StopRequest } from '@gradstream/trainer';
 * const early: StopRequest = { reason: 'early-stop', bestEpoch: 12 };
 * ```
 */
export interface StopRequest {
  readonly reason: EndReason;
  readonly divergence?: Divergence;
  readonly bestEpoch?: number;
}

/*
 * Each event carries its run's controller under this symbol, as a non-enumerable property: JSON,
 * structured clones (postMessage), spreads and test equality never see it, so events stay plain
 * data. (A WeakMap from event to controller did the same at over a third of a small step's cost:
 * every entry is an ephemeron the garbage collector must trace.)
 */
const CONTROLLER = Symbol('gradstream.controller');

/**
 * The handle on a live run that policies and apps act through: pause, resume, step, stop, change
 * the learning rate, read gradients or gradient signals of the current batch (copied only when
 * asked), snapshot and restore parameters. Get it from any event of the run with {@link controllerOf};
 * events themselves stay plain serializable data.
 *
 * @example
 * ```ts
 * import { controllerOf, fit } from '@gradstream/trainer';
 * // fit(model, data, { epochs: 10 }).subscribe((e) => {
 * //   if (e.type === 'epoch' && e.loss < 0.01) controllerOf(e)?.stop();
 * // });
 * ```
 */
export class RunController {
  private pausedFlag = false;
  private pending = 0;
  private stopRequest: StopRequest | undefined;
  private schedule: { readonly fn: (t: number) => number; readonly per: SchedulePer } | undefined;
  private current: CompiledBatch | undefined;
  /** @internal Called by the loop when the run may continue (resume, step, stop). */
  wake: () => void = () => {};
  /** @internal Keeps the run's history and produces its states. */
  stateKeeper: StateKeeper | undefined;

  /** @internal Created by `fit`. */
  constructor(private readonly engine: StepEngine) {}

  /** The model being trained. */
  get model(): Model {
    return this.engine.model;
  }

  /** The optimizer updating it. */
  get optimizer(): Optimizer {
    return this.engine.optimizer;
  }

  /** The trainer state after the last completed epoch (immutable). */
  get state(): TrainerState {
    if (this.stateKeeper === undefined) throw new GradstreamError('INVALID_OPTION', 'the run has not started yet', {});
    return this.stateKeeper.state();
  }

  /** True while paused (between batches). */
  get paused(): boolean {
    return this.pausedFlag && this.pending === 0;
  }

  /** The stop that was requested, if any. */
  get stopping(): StopRequest | undefined {
    return this.stopRequest;
  }

  /** Pauses at the next batch boundary. */
  pause(): void {
    this.pausedFlag = true;
    this.pending = 0;
  }

  /** Resumes a paused run. */
  resume(): void {
    this.pausedFlag = false;
    this.pending = 0;
    this.wake();
  }

  /** While paused: runs `n` more batches (default 1), then pauses again. */
  step(n = 1): void {
    if (!this.pausedFlag) return;
    this.pending += n;
    this.wake();
  }

  /**
   * Ends the run at the next batch boundary with an `end` event of the given reason. Requested
   * while a `batch` event is being handled, it also prevents that batch's update.
   */
  stop(reason: EndReason = 'stopped', details: Omit<StopRequest, 'reason'> = {}): void {
    if (this.stopRequest === undefined) this.stopRequest = { reason, ...details };
    this.wake();
  }

  /** The learning rate now. */
  get lr(): number {
    return this.engine.optimizer.lr;
  }

  /** Sets the learning rate for the following steps. */
  setLr(lr: number): void {
    if (!(lr >= 0) || !Number.isFinite(lr)) throw new GradstreamError('INVALID_OPTION', `setLr: lr must be a finite number ≥ 0, got ${lr}`, { lr });
    this.engine.optimizer.lr = lr;
  }

  /**
   * Installs a learning-rate schedule, consulted before every step (`t` = steps done) or every
   * epoch (`t` = epochs done), so the events report the rate actually used.
   */
  setLrSchedule(fn: (t: number) => number, per: SchedulePer): void {
    this.schedule = { fn, per };
  }

  /** @internal The loop asks for the scheduled rate at each boundary. */
  applySchedule(per: SchedulePer, t: number): void {
    if (this.schedule?.per === per) this.setLr(this.schedule.fn(t));
  }

  /** @internal The batch whose gradients are current. */
  setCurrent(c: CompiledBatch | undefined): void {
    this.current = c;
  }

  /** @internal Consumes one permitted step while paused; false when the loop must wait. */
  mayRun(): boolean {
    if (this.stopRequest !== undefined) return true;
    if (!this.pausedFlag) return true;
    if (this.pending > 0) {
      this.pending--;
      return true;
    }
    return false;
  }

  /** Each parameter's gradient for the current batch, copied (by parameter id). */
  gradients(): Readonly<Record<string, TensorSnapshot>> {
    return this.current === undefined ? {} : this.engine.snapshotGradients(this.current);
  }

  /** Each node's gradient signal ∂L/∂output for the current batch, copied (by node name). */
  signals(): Readonly<Record<string, TensorSnapshot>> {
    return this.current === undefined ? {} : this.engine.snapshotSignals(this.current);
  }

  /** A frozen copy of every parameter now. */
  params(): Readonly<Record<string, TensorSnapshot>> {
    return this.engine.snapshotParams();
  }

  /** Writes parameters back from a snapshot taken with {@link RunController.params}. */
  restoreParams(snapshot: Readonly<Record<string, TensorSnapshot>>): void {
    this.engine.restoreParams(snapshot);
  }
}

/** @internal Links an event to the run that emitted it. */
export function attach<E extends TrainEvent>(event: E, controller: RunController): E {
  Object.defineProperty(event, CONTROLLER, { value: controller });
  return event;
}

/**
 * The {@link RunController} of the run that emitted an event (undefined for an event that did not
 * come from a live run, e.g. one parsed from JSON).
 *
 * @example
 * ```ts
 * import { controllerOf, fit } from '@gradstream/trainer';
 * // fit(model, data, { epochs: 100 }).subscribe((e) => { if (e.type === 'epoch') controllerOf(e)?.pause(); });
 * ```
 */
export function controllerOf(event: TrainEvent): RunController | undefined {
  const controller = (event as { [CONTROLLER]?: unknown })[CONTROLLER];
  return controller instanceof RunController ? controller : undefined;
}
