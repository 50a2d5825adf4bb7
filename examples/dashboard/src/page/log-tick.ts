/**
 * Tick label for a log axis: powers of ten only (the ticks between them stay unlabelled, as
 * uPlot's own log axes do), written plainly from 0.001 to 1000 and as `1e-6` beyond — uPlot's
 * default would print 0 for the small ones.
 */
export function logTick(v: number | null): string | null {
  if (v === null || !(v > 0)) return null;
  const exponent = Math.round(Math.log10(v));
  if (Math.abs(v / 10 ** exponent - 1) > 1e-6) return null;
  return exponent >= -3 && exponent <= 3 ? String(Number((10 ** exponent).toFixed(Math.max(0, -exponent)))) : `1e${exponent}`;
}
