/**
 * The input features a network can be given, each computed from a point's (x, y), as in
 * TensorFlow Playground: the coordinates, their squares and product, and their sines.
 */
export const FEATURES = ['x', 'y', 'xSquared', 'ySquared', 'xTimesY', 'sinX', 'sinY'] as const;
export type Feature = (typeof FEATURES)[number];

const DEFINITIONS: Readonly<Record<Feature, { readonly label: string; readonly of: (x: number, y: number) => number }>> = {
  x: { label: 'x', of: (x) => x },
  y: { label: 'y', of: (_x, y) => y },
  xSquared: { label: 'x²', of: (x) => x * x },
  ySquared: { label: 'y²', of: (_x, y) => y * y },
  xTimesY: { label: 'x·y', of: (x, y) => x * y },
  sinX: { label: 'sin x', of: (x) => Math.sin(x) },
  sinY: { label: 'sin y', of: (_x, y) => Math.sin(y) },
};

/** How a feature is written on the page (`x²`, `sin y`). */
export function featureLabel(feature: Feature): string {
  return DEFINITIONS[feature].label;
}

/**
 * The network's input rows for points given as x₀, y₀, x₁, y₁, …: one value per chosen feature,
 * in the order of {@link FEATURES} whatever order they were chosen in.
 */
export function featureRows(xy: ArrayLike<number>, features: readonly Feature[]): Float32Array {
  const chosen = FEATURES.filter((f) => features.includes(f)).map((f) => DEFINITIONS[f].of);
  const points = Math.floor(xy.length / 2);
  const out = new Float32Array(points * chosen.length);
  for (let p = 0, o = 0; p < points; p++) {
    const x = xy[2 * p] as number;
    const y = xy[2 * p + 1] as number;
    for (const of of chosen) out[o++] = of(x, y);
  }
  return out;
}

/** The chosen features in {@link FEATURES} order (the order of the network's inputs). */
export function orderedFeatures(features: readonly Feature[]): Feature[] {
  return FEATURES.filter((f) => features.includes(f));
}
