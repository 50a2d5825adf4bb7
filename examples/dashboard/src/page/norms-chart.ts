import uPlot from 'uplot';
import { Downsampler } from '../shared/downsampler.js';
import { fitChart } from './chart-size.js';
import { seriesColor } from './colors.js';
import { formatCount, formatValue } from './format.js';
import { logTick } from './log-tick.js';

const CAPACITY = 1000;
const FLOOR = 1e-8;

/**
 * The L2 norm of the gradient signal ∂L/∂z reaching each linear layer, against the step, on a
 * log axis: a layer whose curve sinks far below the others learns slowly (vanishing gradients).
 * Built anew for every network, since the layers are its series.
 */
export class NormsChart {
  private samples: Downsampler;
  private plot: uPlot | undefined;
  private stopFitting: () => void = () => {};
  private dirty = false;

  constructor(private readonly host: HTMLElement) {
    this.samples = new Downsampler(CAPACITY, 1);
  }

  /** Starts over with one series per layer, named after its linear node. */
  reset(layers: readonly string[]): void {
    this.stopFitting();
    this.plot?.destroy();
    this.samples = new Downsampler(CAPACITY, layers.length);
    this.plot = new uPlot(
      {
        width: 400,
        height: 200,
        scales: { x: { time: false }, y: { distr: 3 } },
        series: [
          { label: 'step', value: (_u: uPlot, v: number) => formatCount(v) ?? '–' },
          ...layers.map((name, k) => ({
            label: `‖∂L/∂z‖ ${name}`,
            stroke: seriesColor(k),
            width: 2,
            points: { show: false },
            value: (_u: uPlot, v: number) => formatValue(v),
          })),
        ],
        axes: [
          { label: 'step', size: 40, labelSize: 18, values: (_u: uPlot, splits: number[]) => splits.map((v) => formatCount(v)) },
          { size: 56, values: (_u: uPlot, splits: number[]) => splits.map((v) => logTick(v)) },
        ],
        legend: { live: false },
        cursor: { drag: { x: false, y: false } },
      },
      this.samples.data() as uPlot.AlignedData,
      this.host,
    );
    this.stopFitting = fitChart(this.plot, this.host);
    this.dirty = false;
  }

  push(steps: Float64Array, norms: readonly Float64Array[]): void {
    for (let i = 0; i < steps.length; i++) {
      this.samples.push(steps[i] as number, ...norms.map((n) => Math.max(FLOOR, n[i] as number)));
    }
    if (steps.length > 0) this.dirty = true;
  }

  render(): void {
    if (!this.dirty || this.plot === undefined) return;
    this.dirty = false;
    this.plot.setData(this.samples.data() as uPlot.AlignedData);
  }
}
