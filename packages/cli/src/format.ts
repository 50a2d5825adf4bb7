/** A number for people: 4 decimals in the usual range, exponent notation for the very small or large. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a === 0) return '0.0000';
  if (a >= 1e-4 && a < 1e6) return v.toFixed(4);
  return v.toExponential(3);
}

/** Up to `limit` values in brackets; longer vectors end in `…` and their length. */
export function formatValues(values: readonly number[], limit = 8): string {
  if (values.length === 1) return formatNumber(values[0] as number);
  const shown = values.slice(0, limit).map(formatNumber).join(', ');
  return values.length > limit ? `[${shown}, … (${values.length} values)]` : `[${shown}]`;
}

/** `[8,2]`, or `[]` for a scalar. */
export function formatDims(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}
