import * as asciichart from 'asciichart';
import { formatNumber } from '../format.js';
import type { CliOutput } from '../io.js';
import { terminalCapabilities } from '../terminal.js';

/** At most `width` points: the means of equal runs of epochs. */
function downsample(values: readonly number[], width: number): number[] {
  if (values.length <= width) return [...values];
  const out: number[] = [];
  for (let i = 0; i < width; i++) {
    const from = Math.floor((i * values.length) / width);
    const to = Math.floor(((i + 1) * values.length) / width);
    let sum = 0;
    for (let j = from; j < to; j++) sum += values[j] as number;
    out.push(sum / (to - from));
  }
  return out;
}

/**
 * The loss per epoch as a terminal line chart. With colour, training and validation share one
 * chart (validation in blue); without, each gets its own, since the lines would look alike.
 */
export function lossChart(train: readonly number[], validation: readonly number[] | undefined, options: { columns: number; color: boolean }): string {
  const finite = (v: readonly number[]): number[] => v.filter((x) => Number.isFinite(x));
  const t = finite(train);
  if (t.length < 2) return '';
  const width = Math.max(10, Math.min(100, options.columns - 16));
  const plot = (series: number[][], colors?: asciichart.Color[]): string =>
    asciichart.plot(
      series.map((s) => downsample(s, width)),
      { height: 8, format: (x: number) => formatNumber(x).padStart(11), ...(colors === undefined ? {} : { colors }) },
    );
  const span = `epochs 1…${train.length}${train.length > width ? `, ${width} columns of means` : ''}`;
  const v = validation === undefined ? [] : finite(validation);
  if (v.length < 2) return `loss per epoch (${span})\n${plot([t])}`;
  if (options.color) {
    return `loss per epoch (${span}): training, ${asciichart.blue}validation${asciichart.reset}\n${plot([t, v], [undefined, asciichart.blue])}`;
  }
  return `training loss per epoch (${span})\n${plot([t])}\n\nvalidation loss per epoch\n${plot([v])}`;
}

/**
 * The options of {@link lossChart} for a chart drawn on `out`: its width (80 columns when it does
 * not say) and whether it takes colour ({@link terminalCapabilities}: `NO_COLOR`, `FORCE_COLOR`, a terminal).
 *
 * @param out - where the chart goes (the command's stderr)
 * @param env - the environment (default: the process's)
 * @example
 * ```ts
 * chartOptions({ write: () => true, isTTY: true, columns: 120 }, { NO_COLOR: '1' }); // { columns: 120, color: false }
 * ```
 */
export function chartOptions(out: CliOutput, env?: Readonly<Record<string, string | undefined>>): { columns: number; color: boolean } {
  return { columns: out.columns ?? 80, color: terminalCapabilities(out, env).color };
}
