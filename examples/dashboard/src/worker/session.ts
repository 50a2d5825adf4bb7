import { Tensor } from '@gradstream/tensor';
import { backendSummary, type Model } from '@gradstream/graph';
import { fit, gradients$, signalNorms$, type TrainCommand, type TrainEvent } from '@gradstream/trainer';
import { Subject, startWith, throttleTime, type Observable, type Subscription } from 'rxjs';
import { boundaryGrid, classOneProbability, squareDomain } from '../shared/grid.js';
import type { Boundary, Domain, FromWorker, NetworkSnapshot, RunSettings, Topology } from '../shared/protocol.js';
import { Pacer } from './pacer.js';
import { UpdateBatcher } from './update-batcher.js';
import { buildNetwork, buildOptimizer, toyData, topologyOf } from './network.js';

/** Cells per side of the decision-boundary heat map. */
const RESOLUTION = 100;
/** Longest wait before collected events go to the page. */
const FLUSH_MS = 40;
/** Shortest time between two decision boundaries (a few epochs of a toy set). */
const BOUNDARY_MS = 200;
/** Shortest time between two gradient-norm samples, and between two network snapshots. */
const NORMS_MS = 50;
const NETWORK_MS = 100;
/** Long enough that a person stops the run before it ends. */
const EPOCHS = 20_000;

/**
 * One prepared run in the worker: the toy set, a freshly initialised model and the grid its
 * decision boundary is sampled on. {@link Session.start} trains it with `fit`, fed by a control
 * Subject that the page's buttons drive; what the run reports is collected and posted in batches.
 */
export class Session {
  private readonly model: Model;
  private readonly data: ReturnType<typeof toyData>;
  private readonly topology: Topology;
  private readonly domain: Domain;
  private readonly grid: Tensor;
  private readonly control = new Subject<TrainCommand>();
  private readonly batcher: UpdateBatcher;
  private readonly subs: Subscription[] = [];
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private lastStep = 0;
  private boundaryStep = 0;
  private boundaryAt = 0;
  private readonly pacer = new Pacer(
    (count) => this.control.next({ type: 'step', count }),
    () => this.lastStep,
  );
  private speed: number | null = null;
  private started = false;
  private running = false;
  private ended = false;

  constructor(
    readonly run: number,
    readonly settings: RunSettings,
    private readonly post: (message: FromWorker) => void,
  ) {
    this.data = toyData(settings);
    this.model = buildNetwork(settings);
    this.topology = topologyOf(this.model);
    this.domain = squareDomain(this.data.points.xy);
    this.grid = new Tensor([RESOLUTION * RESOLUTION, 2], boundaryGrid(this.domain, RESOLUTION));
    this.batcher = new UpdateBatcher(run, this.topology.linear.length);
  }

  /** The message that shows the prepared run: its data, network and untrained boundary. */
  prepared(): FromWorker {
    return {
      type: 'prepared',
      run: this.run,
      settings: this.settings,
      topology: this.topology,
      points: { xy: this.data.points.xy.slice(), labels: this.data.points.labels.slice() },
      domain: this.domain,
      boundary: this.boundary(),
      backend: backendSummary(this.model.backend),
    };
  }

  /**
   * Trains the prepared model. fit starts paused and is then let go: without a speed limit it runs
   * free, yielding every slice; with one it stays paused and the pacer grants it batches through
   * the control stream.
   */
  start(paused: boolean): void {
    if (this.started) return;
    this.started = true;
    const control$: Observable<TrainCommand> = this.control.pipe(startWith<TrainCommand>('pause'));
    // One shared run: every subscriber below joins it in this turn, before it starts.
    const run$: Observable<TrainEvent> = fit(this.model, { x: this.data.x, y: this.data.y }, {
      epochs: EPOCHS,
      batchSize: this.settings.batchSize,
      optimizer: buildOptimizer(this.settings),
      seed: this.settings.seed,
      metrics: ['accuracy'],
      control: control$,
      sliceMs: 16,
    });
    this.subs.push(
      run$.subscribe({ next: (e) => this.onEvent(e), error: (err: unknown) => this.onError(err) }),
      // The run copies signals and gradients into its batch events while these listen; the page
      // needs only a few a second.
      signalNorms$(run$)
        .pipe(throttleTime(NORMS_MS))
        .subscribe(({ step, norms }) => {
          this.batcher.norms(
            step,
            this.topology.linear.map((name) => norms[name] ?? Number.NaN),
          );
        }),
      gradients$(run$)
        .pipe(throttleTime(NETWORK_MS))
        .subscribe(({ step, gradients }) => this.batcher.network(this.snapshot(step, gradients))),
    );
    if (paused) this.batcher.state('paused');
    else this.go();
    this.schedule();
  }

  pause(): void {
    if (!this.started || this.ended) return;
    this.running = false;
    this.pacer.stop();
    this.control.next('pause');
    // No batch runs while a message is handled, so the pause holds from here: the page learns it
    // together with the last batches before it.
    this.batcher.state('paused');
    this.flush();
  }

  resume(): void {
    if (!this.started || this.ended || this.running) return;
    this.go();
    this.flush();
  }

  step(): void {
    if (!this.started) this.start(true);
    if (!this.running && !this.ended) this.control.next('step');
  }

  setLr(lr: number): void {
    if (this.started && !this.ended) this.control.next({ type: 'setLr', lr });
  }

  /** Batches per second while running (null: as fast as it goes); takes effect at once. */
  setSpeed(stepsPerSecond: number | null): void {
    this.speed = stepsPerSecond;
    if (this.running) this.go();
  }

  /** Stops training and drops the run's buffers (unsubscribing ends `fit` at the next batch boundary). */
  dispose(): void {
    this.pacer.stop();
    for (const s of this.subs) s.unsubscribe();
    this.subs.length = 0;
    if (this.flushTimer !== undefined) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
  }

  /** Runs at the current speed: free, or paused and paced. */
  private go(): void {
    this.running = true;
    this.pacer.stop();
    if (this.speed === null) {
      this.control.next('resume');
    } else {
      this.control.next('pause');
      this.pacer.start(this.speed);
    }
    this.batcher.state('running');
  }

  private onEvent(e: TrainEvent): void {
    if (e.type === 'batch') {
      this.batcher.batch(e.step, e.loss);
      this.lastStep = e.step;
    } else if (e.type === 'epoch') {
      this.batcher.epoch({ epoch: e.epoch, step: e.step, loss: e.loss, accuracy: e.metrics.accuracy ?? Number.NaN });
    } else if (e.type === 'end') {
      this.ended = true;
      this.running = false;
      this.pacer.stop();
      this.batcher.state('ended', e.reason);
      this.flush();
      return;
    }
    this.schedule();
  }

  private onError(err: unknown): void {
    this.ended = true;
    this.running = false;
    this.pacer.stop();
    this.flush();
    this.post({ type: 'error', run: this.run, message: err instanceof Error ? err.message : String(err) });
  }

  private schedule(delay = FLUSH_MS): void {
    if (this.flushTimer === undefined) this.flushTimer = setTimeout(() => this.flush(), delay);
  }

  private flush(): void {
    if (this.flushTimer !== undefined) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const now = performance.now();
    const stale = this.lastStep !== this.boundaryStep;
    // Between batches (never inside fit's step), so the prediction sees the updated weights.
    if (stale && (now - this.boundaryAt >= BOUNDARY_MS || this.ended)) {
      this.batcher.boundary(this.boundary());
      this.boundaryStep = this.lastStep;
      this.boundaryAt = now;
    }
    if (!this.batcher.empty) this.post(this.batcher.take());
    // While paused nothing else would flush again: come back for the boundary of the last steps.
    if (this.lastStep !== this.boundaryStep) this.schedule(Math.max(FLUSH_MS, BOUNDARY_MS - (now - this.boundaryAt)));
  }

  private boundary(): Boundary {
    const logits = this.model.predict(this.grid);
    return { step: this.lastStep, resolution: RESOLUTION, values: classOneProbability(logits.data, RESOLUTION * RESOLUTION) };
  }

  private snapshot(step: number, gradients: Readonly<Record<string, { readonly values: readonly number[] }>>): NetworkSnapshot {
    const abs = (values: readonly number[] | undefined): Float32Array => Float32Array.from(values ?? [], Math.abs);
    return {
      step,
      weightGrads: this.topology.linear.map((name) => abs(gradients[`${name}.weight`]?.values)),
      // The live weights, read while the batch event is handled: before this step's update.
      weights: this.topology.linear.map((name) => Float32Array.from(this.model.node(name).params.weight?.data ?? [])),
      biasGrads: this.topology.linear.map((name) => abs(gradients[`${name}.bias`]?.values)),
    };
  }
}
