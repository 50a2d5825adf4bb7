import type { Model } from '@gradstream/graph';
import { fit, type TrainCommand, type TrainEvent } from '@gradstream/trainer';
import { Subject, startWith, type Observable, type Subscription } from 'rxjs';
import { squareDomain } from '../shared/grid.js';
import type { Domain, FromWorker, RunSettings, Topology } from '../shared/protocol.js';
import { backendLine } from './backend-line.js';
import { BoundaryProbe } from './boundary-probe.js';
import { buildNetwork, buildOptimizer, regularizationRates, toyData, topologyOf, type ToyData } from './network.js';
import { Pacer } from './pacer.js';
import { CpuCopy, paramsOnHost } from './params-on-host.js';
import { Samples } from './samples.js';
import { UpdateBatcher } from './update-batcher.js';

/** Longest wait before collected events go to the page. */
const FLUSH_MS = 40;
/** Shortest time between two decision boundaries (a few epochs of a toy set). */
const BOUNDARY_MS = 200;
/** Long enough that a person stops the run before it ends. */
const EPOCHS = 1_000_000;

/**
 * One prepared run in the worker: the toy set split into training and test points, a freshly
 * initialised model on the chosen backend and the grids its output is sampled on.
 * {@link Session.start} trains it with `fit`, fed by a control Subject that the page's buttons
 * drive; what the run reports is collected and posted in batches.
 *
 * Everything it reads of the model works on every backend: gradients and signals from the run's
 * batch events, asked for a step at a time; weights, the maps and exports from parameters read
 * back from the GPU on WebGPU (the maps computed on a CPU copy of the model); the test loss from
 * `fit`'s validation, which reads back what it scores.
 */
export class Session {
  readonly model: Model;
  private readonly data: ToyData;
  private readonly topology: Topology;
  private readonly domain: Domain;
  private readonly probe: BoundaryProbe;
  private readonly control = new Subject<TrainCommand>();
  private readonly batcher: UpdateBatcher;
  private readonly subs: Subscription[] = [];
  private samples: Samples | undefined;
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private lastStep = 0;
  private boundaryStep = 0;
  private boundaryAt = 0;
  /** A boundary is on its way back from the device: one at a time. */
  private reading = false;
  private readonly pacer = new Pacer(
    (count) => this.control.next({ type: 'step', count }),
    () => this.lastStep,
  );
  private speed: number | null = null;
  private started = false;
  private running = false;
  private ended = false;
  private disposed = false;

  constructor(
    readonly run: number,
    readonly settings: RunSettings,
    private readonly post: (message: FromWorker) => void,
  ) {
    this.data = toyData(settings);
    this.model = buildNetwork(settings);
    this.topology = topologyOf(this.model, settings);
    this.domain = squareDomain(this.data.points.xy);
    this.probe = new BoundaryProbe(
      new CpuCopy(this.model, () => buildNetwork({ ...settings, backend: 'wasm' })),
      settings,
      this.topology,
      this.domain,
    );
    this.batcher = new UpdateBatcher(run, this.topology.linear.length);
  }

  /** The message that shows the prepared run: its data, network and untrained boundary. */
  async prepared(): Promise<FromWorker> {
    const boundary = await this.probe.read(0);
    const { points } = this.data;
    return {
      type: 'prepared',
      run: this.run,
      settings: this.settings,
      backend: backendLine(this.model.backend),
      topology: this.topology,
      points: { xy: points.xy.slice(), labels: points.labels.slice(), test: points.test.slice() },
      domain: this.domain,
      boundary,
      featureMaps: this.probe.featureMaps(),
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
    // One shared run: the samples' listeners join it later, one step at a time.
    this.subs.push(run$.subscribe({ next: (e) => this.onEvent(e), error: (err: unknown) => this.onError(err) }));
    this.samples = new Samples(run$, this.model, this.topology, this.batcher, () => !this.running);
    this.samples.ask();
    if (paused) this.batcher.state('paused');
    else this.go();
    this.schedule();
  }

  pause(): void {
    if (!this.started || this.ended) return;
    this.running = false;
    this.pacer.stop();
    this.control.next('pause');
    // The page learns it together with the batches before it. (On a CPU backend no batch runs
    // while a message is handled; on WebGPU a step already waiting for the GPU still reports.)
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

  /** Resolves once the model's parameters on the host are those of the latest step, for an export. */
  paramsOnHost(): Promise<void> {
    return paramsOnHost(this.model);
  }

  /** Stops training and drops the run's buffers (unsubscribing ends `fit` at the next batch boundary). */
  dispose(): void {
    this.disposed = true;
    this.pacer.stop();
    for (const s of this.subs) s.unsubscribe();
    this.subs.length = 0;
    this.samples?.dispose();
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
      // No step is queued while its predecessor's event is handled: the place to ask for samples.
      this.samples?.ask();
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
    if (this.flushTimer === undefined && !this.disposed) this.flushTimer = setTimeout(() => this.flush(), delay);
  }

  private flush(): void {
    if (this.flushTimer !== undefined) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const now = performance.now();
    const stale = this.lastStep !== this.boundaryStep;
    if (stale && !this.reading && (now - this.boundaryAt >= BOUNDARY_MS || this.ended)) this.readBoundary(now);
    if (!this.batcher.empty) this.post(this.batcher.take());
    // While paused nothing else would flush again: come back for the boundary of the last steps.
    // (While running, the next batch flushes within FLUSH_MS: a later timer here would hold it back.)
    if (!this.running && !this.reading && this.lastStep !== this.boundaryStep) this.schedule(Math.max(FLUSH_MS, BOUNDARY_MS - (now - this.boundaryAt)));
  }

  /**
   * Reads the boundary of the latest step; it goes to the page with the flush after it is back.
   * It sees the weights of that step's update: on a CPU backend no step runs until it is computed,
   * and on WebGPU the read of the parameters is queued behind that update.
   */
  private readBoundary(now: number): void {
    this.reading = true;
    this.boundaryStep = this.lastStep;
    this.boundaryAt = now;
    this.probe.read(this.lastStep).then(
      (boundary) => {
        this.reading = false;
        this.batcher.boundary(boundary);
        this.schedule();
      },
      (err: unknown) => {
        this.reading = false;
        if (!this.disposed && !this.ended) this.onError(err);
      },
    );
  }
}
