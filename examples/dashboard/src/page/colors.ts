/** Class 0 (orange) and class 1 (blue), the colours of TensorFlow Playground. */
export const CLASS_COLORS = ['#f59322', '#0877bd'] as const;

/** Heat-map ends: the class colours washed out, so the points drawn over them stand out. */
export const HEAT_ORANGE = [250, 200, 145] as const;
export const HEAT_GREY = [232, 234, 235] as const;
export const HEAT_BLUE = [140, 190, 222] as const;

/**
 * Colour of a probability of class 1 on the heat map: pale orange at 0, a light grey at 0.5
 * (where the model cannot tell), pale blue at 1, linear in between. Written into `out` at
 * `offset` as RGBA so a whole `ImageData` is filled without allocating.
 */
export function probabilityColor(p: number, out: Uint8ClampedArray, offset: number): void {
  const t = Math.min(1, Math.max(0, Number.isFinite(p) ? p : 0.5));
  const [from, to, u] = t < 0.5 ? [HEAT_ORANGE, HEAT_GREY, t * 2] : [HEAT_GREY, HEAT_BLUE, t * 2 - 1];
  out[offset] = from[0] + (to[0] - from[0]) * u;
  out[offset + 1] = from[1] + (to[1] - from[1]) * u;
  out[offset + 2] = from[2] + (to[2] - from[2]) * u;
  out[offset + 3] = 255;
}

/** The ends of the units' diverging scale: the class colours at full strength, as in TensorFlow Playground. */
export const DIVERGING_NEGATIVE = [245, 147, 34] as const;
export const DIVERGING_POSITIVE = [8, 119, 189] as const;

/**
 * Colour of a value on the units' diverging scale: orange at −`scale` and below, the heat map's
 * light grey at 0, blue at `scale` and above, linear in between. A missing value (NaN) or a
 * scale that is not positive (a unit that outputs 0 everywhere) is neutral. Written into `out`
 * at `offset` as RGBA, like {@link probabilityColor}.
 */
export function divergingColor(v: number, scale: number, out: Uint8ClampedArray, offset: number): void {
  const r = scale > 0 ? v / scale : 0;
  const t = Number.isNaN(r) ? 0 : Math.min(1, Math.max(-1, r));
  const to = t < 0 ? DIVERGING_NEGATIVE : DIVERGING_POSITIVE;
  const u = Math.abs(t);
  out[offset] = HEAT_GREY[0] + (to[0] - HEAT_GREY[0]) * u;
  out[offset + 1] = HEAT_GREY[1] + (to[1] - HEAT_GREY[1]) * u;
  out[offset + 2] = HEAT_GREY[2] + (to[2] - HEAT_GREY[2]) * u;
  out[offset + 3] = 255;
}

/** A distinct colour for the k-th series of a chart (layers input side first). */
export function seriesColor(k: number): string {
  const palette = ['#7b3294', '#1b7837', '#e08214', '#2166ac', '#b2182b', '#35978f'];
  return palette[k % palette.length] as string;
}
