import uPlot from 'uplot';
import { Downsampler } from '../shared/downsampler.js';
import { fitChart } from './chart-size.js';
import { formatCount, formatValue } from './format.js';
import { logTick } from './log-tick.js';

/** Buckets kept for drawing: a few per horizontal pixel of a wide chart. */
const CAPACITY = 1500;
/** Weight of the newest batch in the smoothed curve (an exponential moving average). */
const SMOOTHING = 0.05;
/** Cross-entropy can round to 0; a log axis needs a floor. */
const FLOOR = 1e-6;

/**
 * The loss curves: every batch loss (light), its moving average (bold) and the loss on the test
 * points after each epoch (held until the next epoch ends) against the step, on a log axis, drawn
 * from a {@link Downsampler} so the cost per frame stays flat however long the run. The element's
 * `data-points` attribute counts the batch losses received, `data-test-loss` holds the latest test
 * loss.
 */
export class LossChart {
  private readonly samples = new Downsampler(CAPACITY, 3);
  private readonly plot: uPlot;
  private smoothed = Number.NaN;
  private last = Number.NaN;
  private test = Number.NaN;
  private dirty = false;

  constructor(private readonly host: HTMLElement) {
    this.plot = new uPlot(
      {
        width: 400,
        height: 200,
        scales: { x: { time: false }, y: { distr: 3 } },
        series: [
          { label: 'step', value: (_u, v) => formatCount(v) ?? '–' },
          { label: 'batch loss', stroke: 'rgba(8, 119, 189, 0.3)', width: 1, points: { show: false }, value: (_u, v) => formatValue(v) },
          { label: 'training (average)', stroke: '#0b4f7c', width: 2, points: { show: false }, value: (_u, v) => formatValue(v) },
          { label: 'test', stroke: '#e6550d', width: 2, dash: [6, 4], points: { show: false }, value: (_u, v) => formatValue(v) },
        ],
        axes: [
          { label: 'step', size: 40, labelSize: 18, values: (_u, splits) => splits.map((v) => formatCount(v)) },
          { size: 56, values: (_u, splits) => splits.map((v) => logTick(v)) },
        ],
        legend: { live: false },
        cursor: { drag: { x: false, y: false } },
      },
      [[], [], [], []],
      host,
    );
    fitChart(this.plot, host);
    this.show();
  }

  /** Batch losses received since the start of the run. */
  get count(): number {
    return this.samples.count;
  }

  /** The newest batch loss (NaN before the first). */
  get latest(): number {
    return this.last;
  }

  /** The newest test loss (NaN before the first epoch ends). */
  get latestTest(): number {
    return this.test;
  }

  /** Batch losses by step, and test losses by the step that ended their epoch (both in step order). */
  push(steps: Float64Array, losses: Float64Array, testSteps: Float64Array, testLosses: Float64Array): void {
    let t = 0;
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i] as number;
      // A test loss belongs to the batch that ended its epoch and holds until the next one.
      while (t < testSteps.length && (testSteps[t] as number) <= step) this.test = testLosses[t++] as number;
      const loss = losses[i] as number;
      this.smoothed = Number.isNaN(this.smoothed) ? loss : this.smoothed + SMOOTHING * (loss - this.smoothed);
      this.samples.push(step, Math.max(FLOOR, loss), Math.max(FLOOR, this.smoothed), Number.isNaN(this.test) ? Number.NaN : Math.max(FLOOR, this.test));
      this.last = loss;
    }
    if (t < testLosses.length) this.test = testLosses[testLosses.length - 1] as number;
    if (steps.length > 0 || testSteps.length > 0) this.dirty = true;
  }

  clear(): void {
    this.samples.clear();
    this.smoothed = Number.NaN;
    this.last = Number.NaN;
    this.test = Number.NaN;
    this.dirty = true;
  }

  /** Redraws if anything arrived since the last frame. */
  render(): void {
    if (this.dirty) this.show();
  }

  private show(): void {
    this.dirty = false;
    const [steps, batch, average, test] = this.samples.data() as number[][];
    // Before the first epoch ends there is no test loss: a gap, not a point.
    const gaps = (test ?? []).map((v) => (Number.isNaN(v) ? null : v));
    this.plot.setData([steps ?? [], batch ?? [], average ?? [], gaps] as uPlot.AlignedData);
    this.host.dataset.points = String(this.samples.count);
    this.host.dataset.testLoss = Number.isFinite(this.test) ? String(this.test) : '';
  }
}
