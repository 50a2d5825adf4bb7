import { describe, expect, it } from 'vitest';
import { fitSine, formatSine, sampleCurve } from '../src/index.js';

describe('the sine example', () => {
  it('fits sin x on [−π, π] with Adam, on the training points and between them', async () => {
    const r = await fitSine({ epochs: 500, every: 100 });
    expect(r.mse).toBeLessThan(0.01);
    expect(r.gridMse).toBeLessThan(0.01);
    expect(r.losses.at(-1)?.loss).toBeLessThan((r.losses[0]?.loss ?? 0) / 10);
    // sin(±π/2) = ±1 and sin(0) = 0: the fit passes near them
    const [minus, zero, plus] = r.model.predict([[-Math.PI / 2], [0], [Math.PI / 2]]).data;
    expect(minus).toBeCloseTo(-1, 1);
    expect(zero).toBeCloseTo(0, 1);
    expect(plus).toBeCloseTo(1, 1);
  });

  it('draws sin x and the fit, the error chart, and the final MSE', async () => {
    const r = await fitSine({ epochs: 300, every: 100 });
    const text = formatSine(r, { width: 40, height: 8 });
    const chartRows = text.split('\n').filter((l) => /^\s*-?\d\.\d{2} [┤┼]/.test(l));
    expect(chartRows).toHaveLength(9); // height + 1 rows, labelled from 1.00 down to -1.00
    expect(chartRows[0]).toMatch(/^\s*1\.00/);
    expect(chartRows.at(-1)).toMatch(/^\s*-1\.00/);
    expect(text).not.toContain('-0.00');
    const largest = Math.max(...sampleCurve(r.model, 40).fit.map((f, i) => Math.abs(f - Math.sin(-Math.PI + (2 * Math.PI * i) / 39))));
    expect(text).toContain(`largest |error| ${largest.toFixed(4)}`);
    expect(text).toContain(`MSE on the 64 training points: ${r.mse.toExponential(3)}`);
  });
});
