import uPlot from 'uplot';
import { Downsampler } from '../shared/downsampler.js';
import { fitChart } from './chart-size.js';
import { logTick } from './log-tick.js';

/** Buckets kept for drawing: a few per horizontal pixel of a wide chart. */
const CAPACITY = 1500;
/** Weight of the newest batch in the smoothed curve (an exponential moving average). */
const SMOOTHING = 0.05;
/** Cross-entropy can round to 0; a log axis needs a floor. */
const FLOOR = 1e-6;

/**
 * The loss curve: every batch loss (light) and its moving average (bold) against the step, on a
 * log axis, drawn from a {@link Downsampler} so the cost per frame stays flat however long the
 * run. The element's `data-points` attribute counts the batch losses received.
 */
export class LossChart {
  private readonly samples = new Downsampler(CAPACITY, 2);
  private readonly plot: uPlot;
  private smoothed = Number.NaN;
  private last = Number.NaN;
  private dirty = false;

  constructor(private readonly host: HTMLElement) {
    this.plot = new uPlot(
      {
        width: 400,
        height: 200,
        scales: { x: { time: false }, y: { distr: 3 } },
        series: [
          { label: 'step' },
          { label: 'batch loss', stroke: 'rgba(8, 119, 189, 0.3)', width: 1, points: { show: false } },
          { label: 'moving average', stroke: '#0b4f7c', width: 2, points: { show: false } },
        ],
        axes: [{ label: 'step', size: 40, labelSize: 18 }, { size: 56, values: (_u, splits) => splits.map((v) => logTick(v)) }],
        legend: { live: false },
        cursor: { drag: { x: false, y: false } },
      },
      [[], [], []],
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

  push(steps: Float64Array, losses: Float64Array): void {
    for (let i = 0; i < steps.length; i++) {
      const loss = losses[i] as number;
      this.smoothed = Number.isNaN(this.smoothed) ? loss : this.smoothed + SMOOTHING * (loss - this.smoothed);
      this.samples.push(steps[i] as number, Math.max(FLOOR, loss), Math.max(FLOOR, this.smoothed));
      this.last = loss;
    }
    if (steps.length > 0) this.dirty = true;
  }

  clear(): void {
    this.samples.clear();
    this.smoothed = Number.NaN;
    this.last = Number.NaN;
    this.dirty = true;
  }

  /** Redraws if anything arrived since the last frame. */
  render(): void {
    if (this.dirty) this.show();
  }

  private show(): void {
    this.dirty = false;
    this.plot.setData(this.samples.data() as uPlot.AlignedData);
    this.host.dataset.points = String(this.samples.count);
  }
}
