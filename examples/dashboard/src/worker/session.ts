import { Tensor } from '@gradstream/tensor';
import type { Model } from '@gradstream/graph';
import { fit, gradients$, signalNorms$, type TrainCommand, type TrainEvent } from '@gradstream/trainer';
import { Subject, startWith, throttleTime, type Observable, type Subscription } from 'rxjs';
import { featureRows } from '../shared/features.js';
import { boundaryGrid, classOneProbability, squareDomain } from '../shared/grid.js';
import type { Boundary, Domain, FromWorker, NetworkSnapshot, RunSettings, Topology } from '../shared/protocol.js';
import { Pacer } from './pacer.js';
import { UpdateBatcher } from './update-batcher.js';
import { buildNetwork, buildOptimizer, regularizationRates, toyData, topologyOf, type ToyData } from './network.js';

/** Cells per side of the decision-boundary heat map. */
const RESOLUTION = 100;
/** Cells per side of each unit's small map in the network drawing. */
const UNIT_RESOLUTION = 24;
/** Longest wait before collected events go to the page. */
const FLUSH_MS = 40;
/** Shortest time between two decision boundaries (a few epochs of a toy set). */
const BOUNDARY_MS = 200;
/** Shortest time between two gradient-norm samples, and between two network snapshots. */
const NORMS_MS = 50;
const NETWORK_MS = 100;
/** Long enough that a person stops the run before it ends. */
const EPOCHS = 1_000_000;

/** A grid of the plane as the network's input rows, and the plan that predicts it. */
interface Probe {
  readonly resolution: number;
  readonly input: Tensor;
}

/**
 * One prepared run in the worker: the toy set split into training and test points, a freshly
 * initialised model and the grids its output is sampled on. {@link Session.start} trains it with
 * `fit`, fed by a control Subject that the page's buttons drive; what the run reports is collected
 * and posted in batches.
 */
export class Session {
  readonly model: Model;
  private readonly data: ToyData;
  private readonly topology: Topology;
  private readonly domain: Domain;
  private readonly grid: Probe;
  private readonly unitGrid: Probe;
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
    this.topology = topologyOf(this.model, settings);
    this.domain = squareDomain(this.data.points.xy);
    this.grid = this.probe(RESOLUTION);
    this.unitGrid = this.probe(UNIT_RESOLUTION);
    this.batcher = new UpdateBatcher(run, this.topology.linear.length);
  }

  /** The message that shows the prepared run: its data, network and untrained boundary. */
  prepared(): FromWorker {
    const features = this.settings.features.length;
    // The unit grid's input rows are the features' values there: the input column's maps.
    const featureMaps = new Float32Array(features * UNIT_RESOLUTION ** 2);
    const rows = this.unitGrid.input.data;
    for (let f = 0; f < features; f++) for (let c = 0; c < UNIT_RESOLUTION ** 2; c++) featureMaps[f * UNIT_RESOLUTION ** 2 + c] = rows[c * features + f] as number;
    const { points } = this.data;
    return {
      type: 'prepared',
      run: this.run,
      settings: this.settings,
      topology: this.topology,
      points: { xy: points.xy.slice(), labels: points.labels.slice(), test: points.test.slice() },
      domain: this.domain,
      boundary: this.boundary(),
      featureMaps,
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
    const classification = this.settings.problem === 'classification';
    // One shared run: every subscriber below joins it in this turn, before it starts.
    const run$: Observable<TrainEvent> = fit(this.model, this.data.train, {
      epochs: EPOCHS,
      batchSize: this.settings.batchSize,
      optimizer: buildOptimizer(this.settings),
      regularization: regularizationRates(this.settings),
      seed: this.settings.seed,
      metrics: classification ? ['accuracy'] : [],
      validation: this.data.test,
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

  /** The penalty's rates from the next step on (the run starts with those of its settings). */
  setRegularization(l1: number, l2: number): void {
    if (this.started && !this.ended) this.control.next({ type: 'setRegularization', l1, l2 });
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
      const testLoss = e.validation?.loss ?? Number.NaN;
      this.batcher.testLoss(e.step, testLoss);
      this.batcher.epoch({
        epoch: e.epoch,
        step: e.step,
        loss: e.loss,
        accuracy: e.metrics.accuracy ?? Number.NaN,
        testLoss,
        testAccuracy: e.validation?.metrics.accuracy ?? Number.NaN,
      });
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
    // (While running, the next batch flushes within FLUSH_MS: a later timer here would hold it back.)
    if (!this.running && this.lastStep !== this.boundaryStep) this.schedule(Math.max(FLUSH_MS, BOUNDARY_MS - (now - this.boundaryAt)));
  }

  private probe(resolution: number): Probe {
    const xy = boundaryGrid(this.domain, resolution);
    const rows = featureRows(xy, this.settings.features);
    return { resolution, input: new Tensor([resolution * resolution, this.settings.features.length], rows) };
  }

  /**
   * The model's output over the fine grid, and every hidden unit's over the coarse one, each from
   * one batch through the model's inference plan (compiled once per grid, kept by the model).
   */
  private boundary(): Boundary {
    const cells = RESOLUTION * RESOLUTION;
    const plan = this.model.plan(cells, 'infer');
    plan.setInput(this.grid.input);
    plan.predict();
    const out = (plan.values.get(this.model.output) as Tensor).data;
    const values = this.settings.problem === 'classification' ? classOneProbability(out, cells) : Float32Array.from(out);
    const unitCells = UNIT_RESOLUTION * UNIT_RESOLUTION;
    const unitPlan = this.model.plan(unitCells, 'infer');
    unitPlan.setInput(this.unitGrid.input);
    unitPlan.predict();
    const units = this.topology.hidden.map((name) => {
      const v = (unitPlan.values.get(name) as Tensor).data;
      const width = v.length / unitCells;
      // From [cell, unit] rows to one map per unit.
      const maps = new Float32Array(v.length);
      for (let c = 0; c < unitCells; c++) for (let u = 0; u < width; u++) maps[u * unitCells + c] = v[c * width + u] as number;
      return maps;
    });
    return { step: this.lastStep, resolution: RESOLUTION, values, unitResolution: UNIT_RESOLUTION, units };
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
