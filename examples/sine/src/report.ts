import { blue, green, plot, type Color } from 'asciichart';
import { sampleCurve, type SineResult } from './sine.js';

/** How to draw the fit. */
export interface ChartOptions {
  /** Columns of the chart: one x per column (default 64). */
  readonly width?: number;
  /** Rows of the chart (default 12). */
  readonly height?: number;
  /** Colour the two lines (only where a terminal shows colours; default false). */
  readonly color?: boolean;
}

/** A tick label with a fixed number of decimals, a space where a minus sign would go, and no "-0.00". */
const tick =
  (digits: number) =>
  (v: number): string => {
    const r = Number(v.toFixed(digits)) + 0; // + 0 turns −0 into 0
    return (r < 0 ? '' : ' ') + r.toFixed(digits);
  };

/**
 * The loss curve, sin x and the network's fit drawn over each other, then the error ŷ − sin x on
 * its own scale (where the two lines coincide, the error chart shows what the first one cannot).
 */
export function formatSine(result: SineResult, options: ChartOptions = {}): string {
  const { width = 64, height = 12, color = false } = options;
  const curve = sampleCurve(result.model, width);
  const colors: Color[] = color ? [blue, green] : [undefined, undefined];
  const error = curve.fit.map((f, i) => f - (curve.target[i] as number));
  const maxError = Math.max(...error.map(Math.abs));
  const lines = ['y = sin(x) on [−π, π], fitted by a 1-16-1 network (tanh hidden layer) with Adam', '', '  epoch   loss (½·mean (ŷ − y)²)'];
  for (const { epoch, loss } of result.losses) lines.push(`  ${String(epoch).padStart(5)}   ${loss.toExponential(3)}`);
  lines.push(
    '',
    `sin x ${color ? '(blue) ' : ''}and the fit ${color ? '(green) ' : ''}at ${width} evenly spaced x from −π (left) to π (right):`,
    plot([curve.target as number[], curve.fit as number[]], { height, colors, format: tick(2) }),
    '',
    `error ŷ − sin x at the same x (largest |error| ${maxError.toFixed(4)}):`,
    plot(error, { height: Math.max(3, Math.round(height / 2)), format: tick(4) }),
    '',
    `MSE on the ${result.points} training points: ${result.mse.toExponential(3)}`,
    `MSE on a ${result.gridPoints}-point grid:     ${result.gridMse.toExponential(3)}`,
  );
  return lines.join('\n');
}
