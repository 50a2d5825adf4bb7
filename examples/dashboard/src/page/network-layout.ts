/** Where each unit of the drawn network sits, in SVG user units. */
export interface NetworkLayout {
  /** `units[c][u]`: centre of unit u of column c. */
  readonly units: readonly (readonly { readonly x: number; readonly y: number }[])[];
  /** Radius of every unit's circle. */
  readonly radius: number;
  /** Centre x of each column, for its caption. */
  readonly columnX: readonly number[];
}

/**
 * Spreads the columns evenly across `width` (with `pad` at both sides) and centres each column's
 * units vertically between `top` and `height`, at the spacing of the tallest column so every
 * column shares one vertical rhythm. Circles shrink to fit a tall column.
 */
export function layoutNetwork(sizes: readonly number[], width: number, height: number, pad = 40, top = 28): NetworkLayout {
  const tallest = Math.max(1, ...sizes);
  const spacing = (height - top - pad / 2) / tallest;
  const radius = Math.max(3, Math.min(14, spacing * 0.32));
  const step = sizes.length > 1 ? (width - 2 * pad) / (sizes.length - 1) : 0;
  const middle = top + (height - top - pad / 2) / 2;
  const columnX = sizes.map((_, c) => (sizes.length > 1 ? pad + c * step : width / 2));
  const units = sizes.map((n, c) =>
    Array.from({ length: n }, (_, u) => ({ x: columnX[c] as number, y: middle + (u - (n - 1) / 2) * spacing })),
  );
  return { units, radius, columnX };
}

/**
 * Stroke width and opacity of an edge from the magnitude of its weight's gradient, relative to
 * the largest in the network: a hairline for none, 6 units for the largest.
 */
export function edgeStyle(magnitude: number, largest: number): { readonly width: number; readonly opacity: number } {
  const t = largest > 0 && Number.isFinite(magnitude) ? Math.min(1, Math.abs(magnitude) / largest) : 0;
  // The square root lets small gradients still show next to a dominant one.
  const s = Math.sqrt(t);
  return { width: 0.5 + 5.5 * s, opacity: 0.15 + 0.85 * s };
}
